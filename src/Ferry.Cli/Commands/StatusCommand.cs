using System.CommandLine;
using System.Net;
using System.Text.Json;
using Ferry.Hosting;
using Ferry.Hosting.Status;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry status [--admin 127.0.0.1:9102] [-o table|json]</c>: what a running Ferry serves now, read from
/// its admin endpoint's <c>/status</c> (docs/metrics.md, "ferry status").
/// </summary>
internal static class StatusCommand
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var admin = new Option<string>("--admin")
        {
            Description = "The admin endpoint of the Ferry to ask (its --admin-listen).",
            DefaultValueFactory = _ => "127.0.0.1:9102",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "table (default): kubectl-like tables that fit 80 columns; json: the admin endpoint's document as it is.",
            DefaultValueFactory = _ => "table",
        };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("status", "Show what a running Ferry serves: load balancers, their backends and traffic, and the pools.")
        {
            admin,
            output,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetRequiredValue(admin),
            parseResult.GetRequiredValue(output),
            parseResult.InvocationConfiguration,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string admin, string output, InvocationConfiguration console, CancellationToken cancellationToken)
    {
        IPEndPoint endpoint;
        try
        {
            endpoint = ListenAddress.Parse(admin);
        }
        catch (FormatException e)
        {
            await console.Error.WriteLineAsync($"--admin: {e.Message}");
            return 2;
        }

        var url = new Uri($"http://{endpoint}/status");
        using var http = new HttpClient { Timeout = _timeout };
        string body;
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                await console.Error.WriteLineAsync($"error: {url} answered {(int)response.StatusCode} {response.ReasonPhrase}: {body.Trim()}");
                return 1;
            }
        }
        catch (HttpRequestException e)
        {
            await console.Error.WriteLineAsync($"error: cannot reach Ferry's admin endpoint at {endpoint} ({e.Message}); is Ferry running there? Give --admin as its --admin-listen.");
            return 1;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync($"error: Ferry's admin endpoint at {endpoint} did not answer within {_timeout.TotalSeconds:0} s.");
            return 1;
        }

        if (output == "json")
        {
            await console.Output.WriteLineAsync(body.TrimEnd());
            return 0;
        }

        StatusDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<StatusDocument>(body, StatusJson.Options);
        }
        catch (JsonException e)
        {
            await console.Error.WriteLineAsync($"error: {url} did not answer with a status document: {e.Message}");
            return 1;
        }

        if (document is null)
        {
            await console.Error.WriteLineAsync($"error: {url} answered an empty status document.");
            return 1;
        }

        await console.Output.WriteAsync(StatusTable.Render(document));
        return 0;
    }
}
