using System.Data;
using BookMyShow.Core.Outbox;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace BookMyShow.Sagas.Persistence;

/// <summary>
/// Our implementation of MassTransit's saga repository contracts on EF Core (MassTransit.EntityFrameworkCore is not
/// available). Pessimistic concurrency: each message is handled in one transaction that first locks the saga row —
/// <c>SELECT … FOR UPDATE</c> on PostgreSQL; on SQLite the transaction itself takes the database's write lock — so two
/// messages for one saga are applied one after the other and neither update is lost. The saga consume context carries
/// the <typeparamref name="TDbContext"/> as a payload, so activities can write other rows (answers, outbox messages)
/// in the same transaction as the saga's new state; the outbox dispatcher is woken right after each commit.
/// </summary>
public sealed class EfSagaRepositoryContextFactory<TDbContext, TSaga>(
    IDbContextFactory<TDbContext> contexts,
    ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory,
    OutboxSignal outbox) :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TDbContext : DbContext
    where TSaga : class, ISaga
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next) where T : class
    {
        await using var db = await contexts.CreateDbContextAsync(context.CancellationToken);
        await WithinTransactionAsync(db, async () =>
        {
            using var repositoryContext = new EfSagaRepositoryContext<TDbContext, TSaga, T>(db, context, consumeContextFactory, Payloads(db));
            await next.Send(repositoryContext);
        }, context.CancellationToken);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next) where T : class
    {
        await using var db = await contexts.CreateDbContextAsync(context.CancellationToken);
        await WithinTransactionAsync(db, async () =>
        {
            var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId).ToListAsync(context.CancellationToken);
            var instances = new List<TSaga>(ids.Count);
            foreach (var id in ids.Order())
            {
                var instance = await SagaRowLock.LoadForUpdateAsync<TSaga>(db, id, context.CancellationToken);
                if (instance is not null) instances.Add(instance);
            }
            using var repositoryContext = new EfSagaRepositoryContext<TDbContext, TSaga, T>(db, context, consumeContextFactory, Payloads(db));
            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
        }, context.CancellationToken);
    }

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default) where T : class =>
        ExecuteReadOnlyAsync(asyncMethod, cancellationToken);

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default) where T : class =>
        ExecuteReadOnlyAsync(asyncMethod, cancellationToken);

    async Task<T> ExecuteReadOnlyAsync<T>(Func<EfReadOnlySagaContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken) where T : class
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await asyncMethod(new EfReadOnlySagaContext<TSaga>(db, cancellationToken));
    }

    /// <summary>What the saga consume contexts of one message carry: its DbContext, for writes in its transaction.</summary>
    static object[] Payloads(TDbContext db) => [db];

    public void Probe(ProbeContext context) => context.Add("persistence", "bookmyshow-efcore");

    async Task WithinTransactionAsync(DbContext db, Func<Task> work, CancellationToken ct)
    {
        await using IDbContextTransaction transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        try
        {
            await work();
            await transaction.CommitAsync(ct);
            outbox.Notify();
        }
        catch
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // The connection is already gone; the database rolled back for us.
            }
            throw;
        }
    }
}

/// <summary>Loads one saga row and holds its lock until the transaction ends.</summary>
public static class SagaRowLock
{
    public static async Task<TSaga?> LoadForUpdateAsync<TSaga>(DbContext db, Guid correlationId, CancellationToken ct) where TSaga : class, ISaga
    {
        if (db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) != true)
        {
            return await db.Set<TSaga>().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, ct);
        }
        var entity = db.Model.FindEntityType(typeof(TSaga)) ?? throw new InvalidOperationException($"{typeof(TSaga).Name} is not in the model.");
        var table = entity.GetTableName();
        var schema = entity.GetSchema();
        var column = entity.FindProperty(nameof(ISaga.CorrelationId))!.GetColumnName();
        var qualified = schema is null ? $"\"{table}\"" : $"\"{schema}\".\"{table}\"";
        // Identifiers come from the model, never from input; the id is a parameter.
        var sql = string.Concat("SELECT * FROM ", qualified, " WHERE \"", column, "\" = {0} FOR UPDATE");
        return await db.Set<TSaga>().FromSqlRaw(sql, correlationId).SingleOrDefaultAsync(ct);
    }
}
