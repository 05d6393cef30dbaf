using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Ferry.ApiServer.Storage;

/// <summary>
/// Durable state: one SQLite table of objects plus the global resourceVersion counter. WAL with
/// <c>synchronous=FULL</c> makes every committed transaction survive a crash (kill -9 or power loss),
/// so a write is acknowledged to the client only after it is on disk.
/// </summary>
internal sealed class SqliteObjectStorage : IDisposable
{
    private const string CounterKey = "resourceVersion";
    private readonly SqliteConnection _connection;

    public SqliteObjectStorage(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate };
        _connection = new SqliteConnection(builder.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=FULL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS objects (
                grp TEXT NOT NULL,
                resource TEXT NOT NULL,
                namespace TEXT NOT NULL,
                name TEXT NOT NULL,
                resource_version INTEGER NOT NULL,
                json TEXT NOT NULL,
                PRIMARY KEY (grp, resource, namespace, name));
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """);
    }

    /// <summary>Reads the counter and every stored object.</summary>
    public (long ResourceVersion, List<StoredObject> Objects) LoadAll()
    {
        long rv = 0;
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = "SELECT value FROM meta WHERE key = $k";
            cmd.Parameters.AddWithValue("$k", CounterKey);
            if (cmd.ExecuteScalar() is long value)
            {
                rv = value;
            }
        }

        var objects = new List<StoredObject>();
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = "SELECT grp, resource, namespace, name, resource_version, json FROM objects";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var key = reader.GetString(0) + "/" + reader.GetString(1);
                var json = reader.GetString(5);
                var obj = JsonNode.Parse(json)?.AsObject() ?? [];
                JsonMaterializer.Materialize(obj);
                var objectRv = reader.GetInt64(4);
                rv = Math.Max(rv, objectRv);
                objects.Add(new StoredObject(key, reader.GetString(2), reader.GetString(3), objectRv, obj, System.Text.Encoding.UTF8.GetBytes(json)));
            }
        }

        return (rv, objects);
    }

    /// <summary>Writes a batch and the new counter in one durable transaction.</summary>
    public void Commit(IReadOnlyList<PendingWrite> writes, long resourceVersion)
    {
        using var tx = _connection.BeginTransaction();
        foreach (var w in writes)
        {
            var slash = w.Key.IndexOf('/', StringComparison.Ordinal);
            var group = w.Key[..slash];
            var resource = w.Key[(slash + 1)..];
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            if (w.Kind == WriteKind.Put)
            {
                cmd.CommandText = """
                    INSERT INTO objects (grp, resource, namespace, name, resource_version, json) VALUES ($g, $r, $n, $name, $rv, $json)
                    ON CONFLICT (grp, resource, namespace, name) DO UPDATE SET resource_version = excluded.resource_version, json = excluded.json
                    """;
                cmd.Parameters.AddWithValue("$rv", w.ResourceVersion);
                cmd.Parameters.AddWithValue("$json", w.Json);
            }
            else
            {
                cmd.CommandText = "DELETE FROM objects WHERE grp = $g AND resource = $r AND namespace = $n AND name = $name";
            }

            cmd.Parameters.AddWithValue("$g", group);
            cmd.Parameters.AddWithValue("$r", resource);
            cmd.Parameters.AddWithValue("$n", w.Namespace);
            cmd.Parameters.AddWithValue("$name", w.Name);
            cmd.ExecuteNonQuery();
        }

        using (var cmd = _connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
            cmd.Parameters.AddWithValue("$k", CounterKey);
            cmd.Parameters.AddWithValue("$v", resourceVersion);
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
    }

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        _ = cmd.ExecuteNonQuery();
    }
}
