using k8s.Models;

namespace Ferry.Controller.KubernetesApi;

/// <summary>Records core/v1 Events about a Service from component <c>service-controller</c>, as upstream does.</summary>
public interface IEventRecorder
{
    /// <param name="type"><c>Normal</c> or <c>Warning</c>.</param>
    void Record(V1Service service, string type, string reason, string message);
}
