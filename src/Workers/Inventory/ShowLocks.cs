namespace BookMyShow.Workers.Inventory;

/// <summary>
/// Keeps the writers of one show's seats one at a time inside this process. A partition's messages are no longer
/// applied strictly one by one (hold requests are decided in batches while other messages wait for their show), so
/// the partition's single-writer rule is kept per show here; the broker's single active consumer keeps it across
/// processes. Striped: a fixed set of locks, several shows per lock, taken in ascending order so two holders of
/// several stripes cannot deadlock.
/// </summary>
public sealed class ShowLocks
{
    const int Stripes = 256;
    readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<IDisposable> LockAsync(IEnumerable<string> showIds, CancellationToken ct)
    {
        var stripes = showIds.Select(StripeOf).Distinct().Order().ToArray();
        var taken = 0;
        try
        {
            for (; taken < stripes.Length; taken++) await _stripes[stripes[taken]].WaitAsync(ct);
        }
        catch
        {
            for (var i = 0; i < taken; i++) _stripes[stripes[i]].Release();
            throw;
        }
        return new Held(this, stripes);
    }

    static int StripeOf(string showId) => (int)(System.IO.Hashing.XxHash32.HashToUInt32(System.Text.Encoding.UTF8.GetBytes(showId)) % Stripes);

    sealed class Held(ShowLocks owner, int[] stripes) : IDisposable
    {
        int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            foreach (var stripe in stripes) owner._stripes[stripe].Release();
        }
    }
}
