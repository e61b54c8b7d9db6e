// `chairwatch notify-test --config FILE [--receiver NAME]`: the test path a clinic runs each
// shift (docs/notifications.md). Sends a clearly marked test alarm to each receiver of the
// configuration (or the one named) and prints, per receiver, delivered or failed with the
// detail and the latency. Exit code 0 when every receiver took it, 1 when one did not, 2 for
// usage or configuration errors.
#pragma once

namespace chairwatch::tools {

int run_notify_test(int argc, char** argv);

}  // namespace chairwatch::tools
