// The `notifications:` section: receivers, chair groups, routes, grouping and retry times
// (docs/notifications.md). Every receiver a route names must exist; a secret file must be
// readable when the configuration is loaded.
#pragma once

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace chairwatch::config {

void read_notifications(YamlReader& r, const YAML::Node& n, NotifyConfig& c);
// An MLLP peer (host, port, TLS, timeout, MSH-3 to MSH-6) at `path`: a notification receiver of
// type acm (`receiver`: with type and patient_id) or records.hl7_export.
void read_acm(YamlReader& r, const YAML::Node& n, const std::string& path, AcmReceiver& a,
              bool receiver);
// After the broker section and the overrides: the outbox's default place, beside the MQTT one.
void finish_notifications(NotifyConfig& c, const BrokerConfig& broker, bool outbox_dir_given);

}  // namespace chairwatch::config
