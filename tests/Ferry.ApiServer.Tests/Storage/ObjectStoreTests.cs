using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Storage;

namespace Ferry.ApiServer.Tests.Storage;

public sealed class ObjectStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ferry-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Watch_FromAVersionNoLongerRetained_IsAStorageExpiry_MappedTo410()
    {
        using var store = new ObjectStore(Path.Combine(_dir, "state.db"), historyCapacity: 1);
        for (var i = 0; i < 3; i++)
        {
            var name = "cm" + i;
            await store.WriteAsync(tx => tx.Put("/configmaps", "default", name, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, created: true));
        }

        var ex = Assert.Throws<StorageException>(() => store.Watch("/configmaps", null, 0));

        Assert.Equal(StorageFailure.Expired, ex.Failure);
        Assert.StartsWith("too old resource version: 0 (", ex.Message, StringComparison.Ordinal);
        var status = ApiErrors.FromStorage(ex);
        Assert.Equal(410, status.Code);
        Assert.Equal("Expired", status.Reason);
    }

    [Fact]
    public async Task Write_AfterDispose_IsShuttingDown_MappedTo503()
    {
        var store = new ObjectStore(Path.Combine(_dir, "state.db"), historyCapacity: 10);
        store.Dispose();

        var ex = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync(tx => tx.Put("/configmaps", "default", "late", [], created: true)));

        Assert.Equal(StorageFailure.ShuttingDown, ex.Failure);
        Assert.Equal(503, ApiErrors.FromStorage(ex).Code);
    }

    [Fact]
    public void FromStorage_Failed_IsInternalError() =>
        Assert.Equal(
            "Internal error occurred: storage failed: disk gone",
            ApiErrors.FromStorage(new StorageException(StorageFailure.Failed, "storage failed: disk gone")).Message);
}
