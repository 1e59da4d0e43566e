using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Sagas.Persistence;

/// <summary>
/// The repository context for one message: loads, adds and saves saga instances in the message's transaction. Saga
/// consume contexts are created on this scope, so they carry the DbContext as a payload.
/// </summary>
public sealed class EfSagaRepositoryContext<TDbContext, TSaga, TMessage>(
    TDbContext db,
    ConsumeContext<TMessage> message,
    ISagaConsumeContextFactory<DbContext, TSaga> factory,
    object[] payloads) :
    ConsumeContextScope<TMessage>(message, payloads),
    SagaRepositoryContext<TSaga, TMessage>,
    IDisposable
    where TDbContext : DbContext
    where TSaga : class, ISaga
    where TMessage : class
{
    readonly SemaphoreSlim _inUse = new(1);
    readonly object[] _payloads = payloads;

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        factory.CreateSagaConsumeContext(db, this, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        var entry = await db.Set<TSaga>().AddAsync(instance, CancellationToken);
        // The transaction goes on if the insert fails, so the insert gets a savepoint of its own.
        var transaction = db.Database.CurrentTransaction;
        if (transaction is not null) await transaction.CreateSavepointAsync("saga_insert", CancellationToken);
        try
        {
            await db.SaveChangesAsync(CancellationToken);
            if (transaction is not null) await transaction.ReleaseSavepointAsync("saga_insert", CancellationToken);
            return await factory.CreateSagaConsumeContext(db, this, instance, SagaConsumeContextMode.Insert);
        }
        catch (DbUpdateException)
        {
            // Already there (a concurrent insert won): forget ours so the context can go on with the stored one.
            if (transaction is not null) await transaction.RollbackToSavepointAsync("saga_insert", CancellationToken);
            entry.State = EntityState.Detached;
            return default!;
        }
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await SagaRowLock.LoadForUpdateAsync<TSaga>(db, correlationId, CancellationToken);
        return instance is null
            ? default!
            : await factory.CreateSagaConsumeContext(db, this, instance, SagaConsumeContextMode.Load);
    }

    public Task Save(SagaConsumeContext<TSaga> context) => Locked(async () =>
    {
        await db.Set<TSaga>().AddAsync(context.Saga, CancellationToken);
        await db.SaveChangesAsync(CancellationToken);
    }, context.CancellationToken);

    public Task Update(SagaConsumeContext<TSaga> context) => Locked(() => db.SaveChangesAsync(CancellationToken), context.CancellationToken);

    public Task Delete(SagaConsumeContext<TSaga> context) => Locked(async () =>
    {
        db.Set<TSaga>().Remove(context.Saga);
        await db.SaveChangesAsync(CancellationToken);
    }, context.CancellationToken);

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context) => Locked(() =>
    {
        var entry = db.ChangeTracker.Entries<TSaga>().FirstOrDefault(x => x.Entity.CorrelationId == context.Saga.CorrelationId);
        if (entry is not null) entry.State = EntityState.Unchanged;
        return Task.CompletedTask;
    }, context.CancellationToken);

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        factory.CreateSagaConsumeContext(db, new ConsumeContextScope<T>(consumeContext, _payloads), instance, mode);

    async Task Locked(Func<Task> work, CancellationToken ct)
    {
        await _inUse.WaitAsync(ct);
        try
        {
            await work();
        }
        finally
        {
            _inUse.Release();
        }
    }

    public void Dispose() => _inUse.Dispose();
}

/// <summary>Read-only access for saga queries outside message handling (tests, diagnostics).</summary>
public sealed class EfReadOnlySagaContext<TSaga>(DbContext db, CancellationToken cancellationToken) :
    BasePipeContext(cancellationToken),
    QuerySagaRepositoryContext<TSaga>,
    LoadSagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    public async Task<TSaga> Load(Guid correlationId) =>
        (await db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken))!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId).ToListAsync(cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}

public static class EfSagaRepositoryRegistration
{
    /// <summary>Stores the saga in <typeparamref name="TDbContext"/> with our EF Core repository.</summary>
    public static ISagaRegistrationConfigurator<TSaga> EfCoreRepository<TDbContext, TSaga>(this ISagaRegistrationConfigurator<TSaga> saga)
        where TDbContext : DbContext
        where TSaga : class, ISaga =>
        saga.Repository(r =>
        {
            r.RegisterLoadSagaRepository<TSaga, EfSagaRepositoryContextFactory<TDbContext, TSaga>>();
            r.RegisterQuerySagaRepository<TSaga, EfSagaRepositoryContextFactory<TDbContext, TSaga>>();
            r.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>, EfSagaRepositoryContextFactory<TDbContext, TSaga>>();
        });
}
