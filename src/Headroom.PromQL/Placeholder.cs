namespace Headroom.PromQL;
