namespace Headroom.Fleet;
