using Headroom.PromQL;

namespace Headroom.Ruler.Templating;

/// <summary>
/// What an alert's label and annotation templates see, as in Prometheus: <c>$labels</c> (<c>.Labels</c>), <c>$value</c>
/// (<c>.Value</c>), <c>$externalLabels</c> (<c>.ExternalLabels</c>) and <c>$externalURL</c> (<c>.ExternalURL</c>).
/// </summary>
internal sealed record TemplateData(Labels Labels, double Value, Labels ExternalLabels, string ExternalUrl)
{
    /// <summary>The variables every template starts with, as Prometheus defines them before the text.</summary>
    public static IReadOnlyList<string> Variables { get; } = ["$labels", "$value", "$externalLabels", "$externalURL", "$"];
}
