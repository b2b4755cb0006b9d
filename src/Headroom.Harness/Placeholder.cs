namespace Headroom.Harness;
