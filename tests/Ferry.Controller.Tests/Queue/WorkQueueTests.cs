using Ferry.Controller.Queue;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Controller.Tests.Queue;

public class WorkQueueTests
{
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Add_SameKeyTwice_IsQueuedOnce()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider(), RequeueBackoff.ServiceController);
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");

        Assert.Equal(2, queue.Count);
        Assert.Equal("a", await queue.TakeAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(_wait, TestContext.Current.CancellationToken));
        Assert.Equal("b", await queue.TakeAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(_wait, TestContext.Current.CancellationToken));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Add_WhileProcessing_IsHandedOutAgainOnlyAfterDone()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider(), RequeueBackoff.ServiceController);
        var ct = TestContext.Current.CancellationToken;
        queue.Add("a");
        var key = await queue.TakeAsync(ct);

        queue.Add("a");
        var second = queue.TakeAsync(ct).AsTask();
        await Task.Yield();
        Assert.False(second.IsCompleted);

        queue.Done(key);
        Assert.Equal("a", await second.WaitAsync(_wait, ct));
    }

    [Fact]
    public async Task AddRateLimited_BacksOffExponentiallyUntilForget()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>(time, RequeueBackoff.ServiceController);
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(TimeSpan.FromSeconds(5), queue.AddRateLimited("a"));
        var take = queue.TakeAsync(ct).AsTask();
        time.Advance(TimeSpan.FromSeconds(4.9));
        await Task.Yield();
        Assert.False(take.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal("a", await take.WaitAsync(_wait, ct));
        queue.Done("a");

        Assert.Equal(TimeSpan.FromSeconds(10), queue.AddRateLimited("a"));
        Assert.Equal(2, queue.Failures("a"));
        queue.Forget("a");
        Assert.Equal(TimeSpan.FromSeconds(5), queue.AddRateLimited("a"));
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(6, 160)]
    [InlineData(7, 300)]
    [InlineData(1000, 300)]
    public void DelayFor_Failures_MatchesUpstreamLimiter(int failures, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RequeueBackoff.ServiceController.DelayFor(failures));
    }

    [Fact]
    public async Task AddAfter_EarlierDelayWins()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>(time, RequeueBackoff.ServiceController);
        var ct = TestContext.Current.CancellationToken;
        queue.AddAfter("a", TimeSpan.FromSeconds(60));
        queue.AddAfter("a", TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("a", await queue.TakeAsync(ct).AsTask().WaitAsync(_wait, ct));
        queue.Done("a");
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task ShutDown_EndsWaitingTakers()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider(), RequeueBackoff.ServiceController);
        var take = queue.TakeAsync(TestContext.Current.CancellationToken).AsTask();
        queue.ShutDown();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => take.WaitAsync(_wait, TestContext.Current.CancellationToken));
        Assert.True(queue.IsShuttingDown);
    }
}
