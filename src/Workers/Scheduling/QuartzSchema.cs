using Npgsql;

namespace BookMyShow.Workers.Scheduling;

/// <summary>
/// The tables Quartz's ADO job store reads and writes on PostgreSQL (table prefix <c>qrtz_</c>), created when
/// missing. Quartz itself only checks them at start (SchemaProvisioning.Validate, its default): a table or column it
/// needs and does not find stops the process with the name of what is missing.
/// </summary>
/// <remarks>
/// The column set is Quartz 4.7's: the twelve tables every scheduler probes (AdoConstants.AllTableNames) with the
/// columns added by its 4.0-4.7 migrations (AdoConstants.MigratedColumnNames). The execution-history tables
/// (execution_history, misfire_history, job_status) are left out: Quartz reads them only with UseExecutionHistory().
/// Types follow what the PostgreSQL delegate binds: times are ticks in bigint, flags bool, job data bytea.
/// A Quartz upgrade that adds a column shows up as a failed start, and the column goes here with ADD COLUMN IF NOT EXISTS.
/// </remarks>
public static class QuartzSchema
{
    // Any constant that nothing else in the database locks on; SchemaInitializer uses another.
    const long AdvisoryLockKey = 0x0B00_5152_545A_0001;

    /// <summary>Every statement creates only what is missing, so the script can run at every start.</summary>
    public static readonly string Script = """
        CREATE TABLE IF NOT EXISTS qrtz_job_details (
            sched_name        text    NOT NULL,
            job_name          text    NOT NULL,
            job_group         text    NOT NULL,
            description       text    NULL,
            job_class_name    text    NOT NULL,
            is_durable        bool    NOT NULL,
            is_nonconcurrent  bool    NOT NULL,
            is_update_data    bool    NOT NULL,
            requests_recovery bool    NOT NULL,
            job_data          bytea   NULL,
            PRIMARY KEY (sched_name, job_name, job_group)
        );

        CREATE TABLE IF NOT EXISTS qrtz_triggers (
            sched_name              text         NOT NULL,
            trigger_name            text         NOT NULL,
            trigger_group           text         NOT NULL,
            job_name                text         NOT NULL,
            job_group               text         NOT NULL,
            description             text         NULL,
            next_fire_time          bigint       NULL,
            prev_fire_time          bigint       NULL,
            priority                integer      NULL,
            trigger_state           text         NOT NULL,
            trigger_type            text         NOT NULL,
            start_time              bigint       NOT NULL,
            end_time                bigint       NULL,
            calendar_name           text         NULL,
            misfire_instr           smallint     NULL,
            misfire_orig_fire_time  bigint       NULL,
            execution_group         varchar(200) NULL,
            preferred_node          varchar(200) NULL,
            preferred_node_auto     bool         NOT NULL DEFAULT false,
            retry_policy            varchar(250) NULL,
            retry_attempt           integer      NULL,
            continues_trigger_name  text         NULL,
            continues_trigger_group text         NULL,
            continuation_condition  integer      NULL,
            overlap_policy          integer      NULL,
            pause_reason            varchar(250) NULL,
            paused_by               varchar(200) NULL,
            paused_at               bigint       NULL,
            misfire_threshold       bigint       NULL,
            fixed_delay             bool         NULL,
            job_data                bytea        NULL,
            PRIMARY KEY (sched_name, trigger_name, trigger_group),
            FOREIGN KEY (sched_name, job_name, job_group) REFERENCES qrtz_job_details (sched_name, job_name, job_group)
        );

        CREATE TABLE IF NOT EXISTS qrtz_simple_triggers (
            sched_name      text   NOT NULL,
            trigger_name    text   NOT NULL,
            trigger_group   text   NOT NULL,
            repeat_count    bigint NOT NULL,
            repeat_interval bigint NOT NULL,
            times_triggered bigint NOT NULL,
            PRIMARY KEY (sched_name, trigger_name, trigger_group),
            FOREIGN KEY (sched_name, trigger_name, trigger_group)
                REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
        );

        CREATE TABLE IF NOT EXISTS qrtz_cron_triggers (
            sched_name      text NOT NULL,
            trigger_name    text NOT NULL,
            trigger_group   text NOT NULL,
            cron_expression text NOT NULL,
            time_zone_id    text NULL,
            PRIMARY KEY (sched_name, trigger_name, trigger_group),
            FOREIGN KEY (sched_name, trigger_name, trigger_group)
                REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
        );

        CREATE TABLE IF NOT EXISTS qrtz_simprop_triggers (
            sched_name    text    NOT NULL,
            trigger_name  text    NOT NULL,
            trigger_group text    NOT NULL,
            str_prop_1    text    NULL,
            str_prop_2    text    NULL,
            str_prop_3    text    NULL,
            int_prop_1    integer NULL,
            int_prop_2    integer NULL,
            long_prop_1   bigint  NULL,
            long_prop_2   bigint  NULL,
            dec_prop_1    numeric NULL,
            dec_prop_2    numeric NULL,
            bool_prop_1   bool    NULL,
            bool_prop_2   bool    NULL,
            time_zone_id  text    NULL,
            PRIMARY KEY (sched_name, trigger_name, trigger_group),
            FOREIGN KEY (sched_name, trigger_name, trigger_group)
                REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
        );

        CREATE TABLE IF NOT EXISTS qrtz_blob_triggers (
            sched_name    text  NOT NULL,
            trigger_name  text  NOT NULL,
            trigger_group text  NOT NULL,
            blob_data     bytea NULL,
            PRIMARY KEY (sched_name, trigger_name, trigger_group),
            FOREIGN KEY (sched_name, trigger_name, trigger_group)
                REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
        );

        CREATE TABLE IF NOT EXISTS qrtz_calendars (
            sched_name    text  NOT NULL,
            calendar_name text  NOT NULL,
            calendar      bytea NOT NULL,
            PRIMARY KEY (sched_name, calendar_name)
        );

        CREATE TABLE IF NOT EXISTS qrtz_paused_trigger_grps (
            sched_name    text         NOT NULL,
            trigger_group text         NOT NULL,
            pause_reason  varchar(250) NULL,
            paused_by     varchar(200) NULL,
            paused_at     bigint       NULL,
            PRIMARY KEY (sched_name, trigger_group)
        );

        CREATE TABLE IF NOT EXISTS qrtz_paused_job_grps (
            sched_name   text         NOT NULL,
            job_group    text         NOT NULL,
            pause_reason varchar(250) NULL,
            paused_by    varchar(200) NULL,
            paused_at    bigint       NULL,
            PRIMARY KEY (sched_name, job_group)
        );

        CREATE TABLE IF NOT EXISTS qrtz_fired_triggers (
            sched_name               text         NOT NULL,
            entry_id                 text         NOT NULL,
            trigger_name             text         NOT NULL,
            trigger_group            text         NOT NULL,
            instance_name            text         NOT NULL,
            fired_time               bigint       NOT NULL,
            sched_time               bigint       NOT NULL,
            priority                 integer      NOT NULL,
            state                    text         NOT NULL,
            job_name                 text         NULL,
            job_group                text         NULL,
            is_nonconcurrent         bool         NOT NULL,
            requests_recovery        bool         NULL,
            execution_group          varchar(200) NULL,
            progress                 integer      NULL,
            progress_message         varchar(250) NULL,
            interrupt_requested_time bigint       NULL,
            PRIMARY KEY (sched_name, entry_id)
        );

        CREATE TABLE IF NOT EXISTS qrtz_scheduler_state (
            sched_name        text        NOT NULL,
            instance_name     text        NOT NULL,
            last_checkin_time bigint      NOT NULL,
            checkin_interval  bigint      NOT NULL,
            quartz_version    varchar(20) NULL,
            PRIMARY KEY (sched_name, instance_name)
        );

        CREATE TABLE IF NOT EXISTS qrtz_locks (
            sched_name text NOT NULL,
            lock_name  text NOT NULL,
            PRIMARY KEY (sched_name, lock_name)
        );

        -- Acquisition scans waiting triggers by next fire time; completion and recovery look fired triggers up by
        -- instance, job and trigger.
        CREATE INDEX IF NOT EXISTS idx_qrtz_j_g_n ON qrtz_job_details (sched_name, job_group, job_name);
        CREATE INDEX IF NOT EXISTS idx_qrtz_t_j ON qrtz_triggers (sched_name, job_name, job_group);
        CREATE INDEX IF NOT EXISTS idx_qrtz_t_g_n ON qrtz_triggers (sched_name, trigger_group, trigger_name);
        CREATE INDEX IF NOT EXISTS idx_qrtz_t_c ON qrtz_triggers (sched_name, calendar_name);
        CREATE INDEX IF NOT EXISTS idx_qrtz_t_nft_st ON qrtz_triggers (sched_name, trigger_state, next_fire_time ASC, priority DESC, misfire_instr);
        CREATE INDEX IF NOT EXISTS idx_qrtz_ft_inst_job_req_rcvry ON qrtz_fired_triggers (sched_name, instance_name, requests_recovery);
        CREATE INDEX IF NOT EXISTS idx_qrtz_ft_j_g ON qrtz_fired_triggers (sched_name, job_name, job_group);
        CREATE INDEX IF NOT EXISTS idx_qrtz_ft_t_g ON qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
        """;

    /// <summary>
    /// Creates the missing tables in one transaction. Several workers may start at once: a transaction-scoped
    /// advisory lock makes them take turns, and the later ones find everything there.
    /// </summary>
    public static async Task EnsureAsync(string postgresConnectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(postgresConnectionString);
        await using var connection = new NpgsqlConnection(postgresConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var command = new NpgsqlCommand(Script, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }
}
