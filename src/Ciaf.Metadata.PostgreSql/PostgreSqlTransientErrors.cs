using System.Net.Sockets;
using Npgsql;

namespace Ciaf.Metadata.PostgreSql;

/// <summary>Which failures are worth retrying: the server went away or is not there yet, or the transaction lost a race.</summary>
internal static class PostgreSqlTransientErrors
{
    public static bool IsTransient(Exception ex) => ex switch
    {
        PostgresException pg => pg.IsTransient || IsTransientState(pg.SqlState),
        // Connection refused, reset or closed mid-statement (a restart): Npgsql wraps the socket or stream error.
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException
            || (npgsql.InnerException is { } inner && IsTransient(inner)),
        IOException or SocketException => true,
        _ => false,
    };

    /// <summary>
    /// 08xxx connection exceptions; 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now
    /// (starting up or shutting down); 53300 too_many_connections; 40001 serialization failure, 40P01 deadlock.
    /// </summary>
    public static bool IsTransientState(string? sqlState) =>
        sqlState is not null
        && (sqlState.StartsWith("08", StringComparison.Ordinal)
            || sqlState is "57P01" or "57P02" or "57P03" or "53300" or "40001" or "40P01");

    /// <summary>A short reason for the log: the SQL state when there is one, else the message.</summary>
    public static string Describe(Exception ex) => ex is PostgresException pg ? $"{pg.SqlState} {pg.MessageText}" : ex.Message;
}
