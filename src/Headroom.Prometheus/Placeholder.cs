namespace Headroom.Prometheus;
