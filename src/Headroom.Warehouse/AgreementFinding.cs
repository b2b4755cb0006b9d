namespace Headroom.Warehouse;

/// <summary>
/// A host whose two views, node_exporter's and CloudWatch's, disagree about its hourly CPU beyond a tolerance in some hours:
/// both values of the worst hour are shown, since which source to trust is the user's call. Computed by the ETL's
/// <c>SourceAgreement</c>, shown by <c>headroom etl status</c> and by the report; kept here, in the model both share.
/// </summary>
/// <param name="InstanceId">The EC2 instance id both views were matched by.</param>
/// <param name="HostResource">The resource key in the host profile (node_exporter), e.g. <c>instance="web-1:9100"</c>.</param>
/// <param name="CloudResource">The resource key in the cloud profile (CloudWatch), e.g. <c>name="arn:aws:ec2:…:instance/i-…"</c>.</param>
/// <param name="HoursCompared">Hours both views hold.</param>
/// <param name="HoursDisagreeing">Of those, hours whose mean CPU differs by more than the tolerance.</param>
/// <param name="WorstHour">The hour with the largest difference.</param>
/// <param name="HostCpu">node_exporter's mean CPU in that hour (ratio).</param>
/// <param name="CloudCpu">CloudWatch's mean CPU in that hour (ratio).</param>
public sealed record AgreementFinding(string InstanceId, string HostResource, string CloudResource, int HoursCompared, int HoursDisagreeing,
    DateTimeOffset WorstHour, double HostCpu, double CloudCpu);
