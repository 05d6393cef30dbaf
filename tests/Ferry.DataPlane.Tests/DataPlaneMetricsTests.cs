using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Health;
using Ferry.DataPlane.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static Ferry.DataPlane.Tests.TestSupport.DataPlaneHarness;

namespace Ferry.DataPlane.Tests;

public class DataPlaneMetricsTests
{
    [Fact]
    public async Task Observe_AfterTraffic_ReportsCountersWithTags()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address);
        using var meterFactory = new TestMeterFactory();
        var time = TimeProvider.System;
        await using var provider = new DataPlaneProvider(
            NullLoggerFactory.Instance, time, new LoadBalancingPolicyFactory(time), new ActiveHealthMonitorFactory(NullLoggerFactory.Instance, time), meterFactory);
        var port = Loopback.FreePort(address);
        await provider.EnsureAsync(Spec(address, Tcp(port, backend.EndPoint)), timeout.Token);
        using (var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token))
        {
            await client.SendAsync(new byte[100], SocketFlags.None, timeout.Token);
            await Loopback.ReadExactlyAsync(client, 100, timeout.Token);
        }

        Assert.True(await EventuallyAsync(() => provider.GetStats(Key)!.ActiveConnections == 0));
        var measurements = Collect(meterFactory);

        var connections = Assert.Single(measurements, m => m.Name == "ferry.backend.connections");
        Assert.Equal(1, connections.Value);
        Assert.Equal("default/web", connections.Tags["load_balancer"]);
        Assert.Equal($"{port}/TCP", connections.Tags["listener"]);
        Assert.Equal(backend.EndPoint.ToString(), connections.Tags["backend"]);
        Assert.Equal(100, Assert.Single(measurements, m => m.Name == "ferry.backend.bytes" && (string?)m.Tags["direction"] == "to_backend").Value);
        Assert.Equal(1, Assert.Single(measurements, m => m.Name == "ferry.backend.healthy").Value);
        Assert.Equal(1, Assert.Single(measurements, m => m.Name == "ferry.listener.accepted").Value);
    }

    private static List<(string Name, long Value, Dictionary<string, object?> Tags)> Collect(TestMeterFactory factory)
    {
        var measurements = new List<(string, long, Dictionary<string, object?>)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == DataPlaneMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        listener.RecordObservableInstruments();
        return measurements;
    }
}
