// The `site:` section (docs/high-availability.md, "Many sites"): the site id that alert and
// session ids carry, and the chairs this instance owns.
#pragma once

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace chairwatch::config {

void read_site(YamlReader& r, const YAML::Node& n, SiteConfig& site);
// Every chair named under `chairs:` (profile defaults) must be one the site owns.
void check_site_chairs(YamlReader& r, const YAML::Node& chairs, const Config& c);

}  // namespace chairwatch::config
