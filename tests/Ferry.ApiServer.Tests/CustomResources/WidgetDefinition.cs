namespace Ferry.ApiServer.Tests.CustomResources;

/// <summary>A CustomResourceDefinition as a user would write it: two served versions, status, printer columns, a short name.</summary>
internal static class WidgetDefinition
{
    public const string Name = "widgets.example.com";

    public static string Yaml(string scope = "Namespaced") => $$"""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: {{scope}}
          names:
            plural: widgets
            singular: widget
            kind: Widget
            shortNames: [wd]
            categories: [all]
          versions:
          - name: v1beta1
            served: true
            storage: false
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
            additionalPrinterColumns:
            - name: Size
              type: integer
              jsonPath: .spec.size
            - name: Age
              type: date
              jsonPath: .metadata.creationTimestamp
            schema:
              openAPIV3Schema:
                type: object
                required: [spec]
                properties:
                  spec:
                    type: object
                    required: [size]
                    properties:
                      size:
                        type: integer
                        minimum: 1
                        maximum: 10
                      color:
                        type: string
                        enum: [red, green, blue]
                        default: green
                      tags:
                        type: array
                        maxItems: 2
                        items:
                          type: string
                  status:
                    type: object
                    properties:
                      ready:
                        type: boolean
        """;

    public static string Widget(string name, int size, string extra = "") => $"""
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: {name}
        spec:
          size: {size}
        {extra}
        """;
}
