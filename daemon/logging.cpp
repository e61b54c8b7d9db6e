#include "daemon/logging.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace chairwatch::daemon {

namespace {

// `%*`: the syslog priority of the line's level, as journald reads it from a stream.
class SyslogPriority : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        // trace, debug, info, warn, err, critical, off (indexed by spdlog's level)
        static constexpr std::array<std::string_view, 7> prefix{"<7>", "<7>", "<6>", "<4>",
                                                                "<3>", "<2>", "<6>"};
        const auto i = static_cast<std::size_t>(msg.level);
        const auto p = prefix[i < prefix.size() ? i : 2];
        dest.append(p.data(), p.data() + p.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<SyslogPriority>();
    }
};

}  // namespace

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    unsigned long long dev = 0, ino = 0;
    char rest = 0;
    if (std::sscanf(stream, "%llu:%llu%c", &dev, &ino, &rest) != 2) return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == dev &&
           static_cast<unsigned long long>(st.st_ino) == ino;
}

void setup_logging(const std::string& level) {
    auto logger = spdlog::stderr_logger_mt("chairwatchd");
    if (stderr_is_journal()) {
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<SyslogPriority>('*').set_pattern("%*%v");
        logger->set_formatter(std::move(formatter));
    } else {
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    }
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(logger);
}

}  // namespace chairwatch::daemon
