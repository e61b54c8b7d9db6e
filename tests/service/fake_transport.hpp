// A scripted notification transport: records every send, and the test answers each one
// (delivered, failed, rejected) when it wants, on the executor as the real ones do.
#pragma once

#include <boost/asio.hpp>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "drivers/notify/notification.hpp"

namespace chairwatch::test {

namespace notify = drivers::notify;

struct SentNotification {
    std::string receiver;
    notify::Notification n;
};

// Everything the fake transports of one service saw, by receiver.
struct NotifyBench {
    class Fake final : public notify::Transport {
      public:
        Fake(NotifyBench& bench, std::string name) : bench_(bench), name_(std::move(name)) {}
        void send(const notify::Notification& n,
                  std::function<void(notify::Result)> done) override {
            bench_.sent.push_back({name_, n});
            bench_.waiting[name_].push_back(std::move(done));
            if (bench_.auto_answer.count(name_)) bench_.answer(name_, bench_.auto_answer[name_]);
        }

      private:
        NotifyBench& bench_;
        std::string name_;
    };

    std::function<std::unique_ptr<notify::Transport>(const config::Receiver&)> factory() {
        return [this](const config::Receiver& r) { return std::make_unique<Fake>(*this, r.name); };
    }
    // Answers the oldest send to `receiver` still waiting; false if none waits.
    bool answer(const std::string& receiver, notify::Outcome o, std::string detail = "") {
        auto& q = waiting[receiver];
        if (q.empty()) return false;
        auto done = std::move(q.front());
        q.pop_front();
        boost::asio::post(*io, [done = std::move(done), o, detail] { done({o, detail}); });
        return true;
    }
    std::vector<SentNotification> to(const std::string& receiver) const {
        std::vector<SentNotification> out;
        for (const auto& s : sent)
            if (s.receiver == receiver) out.push_back(s);
        return out;
    }

    boost::asio::io_context* io{nullptr};  // the service's
    std::vector<SentNotification> sent;
    std::map<std::string, std::deque<std::function<void(notify::Result)>>> waiting;
    std::map<std::string, notify::Outcome> auto_answer;  // answers every send at once
};

}  // namespace chairwatch::test
