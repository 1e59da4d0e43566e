using System.Collections.Concurrent;
using System.Security.Claims;
using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Admission;

/// <summary>
/// Records the e-mail address from a user's token (claim <c>email</c>) so the notification worker can write to them.
/// Written when they hold seats, and only when it changed since this gateway last wrote it.
/// </summary>
public sealed class UserContacts(TimeProvider time)
{
    readonly ConcurrentDictionary<string, string> _written = new();

    public async Task RememberAsync(BookingDbContext db, ClaimsPrincipal user, string userId, CancellationToken ct)
    {
        var email = user.FindFirstValue("email");
        if (string.IsNullOrWhiteSpace(email) || (_written.TryGetValue(userId, out var known) && known == email)) return;
        var now = time.GetUtcNow().UtcDateTime;
        // The same statement works on PostgreSQL and SQLite.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO user_contacts (user_id, email, updated_at) VALUES ({userId}, {email}, {now}) ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at",
            ct);
        _written[userId] = email;
    }
}
