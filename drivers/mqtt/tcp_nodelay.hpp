// Paho opens its sockets itself and never sets TCP_NODELAY, so a small alert can wait in the
// kernel for the acknowledgement of the one before (Nagle's algorithm). This finds our TCP
// sockets connected to the broker's port and sets the option on them.
#pragma once

#include <string>

namespace chairwatch::drivers {

// The port of an MQTT URI (tcp://host:1883, ssl://host, mqtts://[::1]:8883); 0 if none fits.
int broker_port(const std::string& uri);

// Sets TCP_NODELAY on every TCP socket of this process whose peer is on the URI's port;
// returns how many it set.
int set_tcp_nodelay_towards(const std::string& uri);

}  // namespace chairwatch::drivers
