using System.CommandLine;

var root = new RootCommand("Ferry: an external load balancer for Kubernetes Services of type LoadBalancer.");
return await root.Parse(args).InvokeAsync();
