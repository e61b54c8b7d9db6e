// The MLLP listener for the alert manager's dispatch status messages (see mllp.hpp).
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <deque>

#include "drivers/codec/hl7_text.hpp"
#include "drivers/notify/hl7_acm.hpp"
#include "drivers/notify/mllp.hpp"

namespace chairwatch::drivers::notify {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

alerts::Millis wall_now() {
    return std::chrono::duration_cast<alerts::Millis>(
        std::chrono::system_clock::now().time_since_epoch());
}

struct ListenerShared {
    ListenerOptions options;
    std::function<void(const DispatchStatus&)> on_status;
    std::size_t connections{0};
    std::uint64_t acks{0};
    std::string ack_prefix;  // makes our ACK control ids unique across restarts
};

// The ACK for one inbound frame, and the status it carries if it is a good one.
std::string answer(ListenerShared& shared, const std::string& frame,
                   std::optional<DispatchStatus>& status) {
    const AckSender sender{shared.options.application, shared.options.facility};
    const auto control = shared.ack_prefix + std::to_string(++shared.acks);
    std::string error;
    status = parse_dispatch_status(frame, error);
    if (status) return encode_ack(frame, sender, "AA", control, wall_now());
    int code = 101;
    if (error.starts_with("not a dispatch status")) code = 200;
    if (error.starts_with("no MSH") || error.starts_with("MSH-2")) code = 100;
    return encode_ack(frame, sender, "AE", control, wall_now(), error, code);
}

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(tcp::socket socket, std::shared_ptr<ListenerShared> shared)
        : socket_(std::move(socket)),
          idle_(socket_.get_executor()),
          shared_(std::move(shared)),
          deframer_(shared_->options.max_frame_bytes) {
        ++shared_->connections;
    }
    ~Connection() { release(); }

    void start() {
        arm_idle();
        do_read();
    }

    void close() {
        error_code ignored;
        idle_.cancel();
        socket_.close(ignored);
        release();  // a closed connection makes room at once, before its handlers unwind
    }

  private:
    void release() {
        if (counted_) --shared_->connections;
        counted_ = false;
    }

    void arm_idle() {
        idle_.expires_after(shared_->options.idle_timeout);
        idle_.async_wait([self = shared_from_this()](error_code ec) {
            if (!ec) self->close();
        });
    }

    void do_read() {
        socket_.async_read_some(asio::buffer(in_),
                                [self = shared_from_this()](error_code ec, std::size_t got) {
                                    if (ec) return self->close();
                                    self->on_read(got);
                                });
    }

    void on_read(std::size_t got) {
        arm_idle();
        std::vector<std::string> frames;
        const bool ok = deframer_.feed(std::string_view(in_.data(), got), frames);
        for (const auto& frame : frames) {
            std::optional<DispatchStatus> status;
            queue(answer(*shared_, frame, status));
            if (status && shared_->on_status) {
                try {
                    shared_->on_status(*status);
                } catch (...) {  // the receipt is lost, the listener keeps going
                }
            }
        }
        if (!ok) {
            const AckSender sender{shared_->options.application, shared_->options.facility};
            queue(encode_ack("", sender, "AE",
                             shared_->ack_prefix + std::to_string(++shared_->acks), wall_now(),
                             "message larger than " +
                                 std::to_string(shared_->options.max_frame_bytes) + " bytes",
                             100));
            closing_ = true;
            return;
        }
        do_read();
    }

    void queue(std::string ack) {
        out_.push_back(mllp_frame(ack));
        if (out_.size() == 1) do_write();
    }

    void do_write() {
        asio::async_write(socket_, asio::buffer(out_.front()),
                          [self = shared_from_this()](error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->out_.pop_front();
                              if (!self->out_.empty()) return self->do_write();
                              if (self->closing_) self->close();
                          });
    }

    tcp::socket socket_;
    asio::steady_timer idle_;
    std::shared_ptr<ListenerShared> shared_;
    MllpDeframer deframer_;
    std::array<char, 4096> in_{};
    std::deque<std::string> out_;
    bool closing_{false};
    bool counted_{true};
};

class Listener final : public StatusListener {
  public:
    Listener(asio::io_context& io, ListenerOptions options,
             std::function<void(const DispatchStatus&)> on_status)
        : acceptor_(io), shared_(std::make_shared<ListenerShared>()) {
        const tcp::endpoint ep(asio::ip::make_address(options.address), options.port);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        char prefix[32];
        std::snprintf(prefix, sizeof prefix, "CWACK%llx.",
                      static_cast<unsigned long long>(wall_now().count()));
        shared_->ack_prefix = prefix;
        shared_->options = std::move(options);
        shared_->on_status = std::move(on_status);
        do_accept();
    }

    ~Listener() override {
        error_code ignored;
        acceptor_.close(ignored);
        for (auto& weak : live_)
            if (auto c = weak.lock()) c->close();
    }

    std::uint16_t port() const override { return acceptor_.local_endpoint().port(); }

  private:
    void do_accept() {
        acceptor_.async_accept(
            [this, alive = std::weak_ptr<int>(token_)](error_code ec, tcp::socket socket) {
                if (alive.expired() || ec == asio::error::operation_aborted) return;
                if (!ec) on_accept(std::move(socket));
                do_accept();
            });
    }

    void on_accept(tcp::socket socket) {
        std::erase_if(live_, [](const auto& w) { return w.expired(); });
        if (shared_->connections >= shared_->options.max_connections) {
            error_code ignored;
            socket.close(ignored);
            return;
        }
        auto c = std::make_shared<Connection>(std::move(socket), shared_);
        live_.push_back(c);
        c->start();
    }

    tcp::acceptor acceptor_;
    std::shared_ptr<ListenerShared> shared_;  // connections share it and may outlive us
    std::shared_ptr<int> token_{std::make_shared<int>(0)};  // expires with us
    std::vector<std::weak_ptr<Connection>> live_;
};

}  // namespace

std::unique_ptr<StatusListener> make_status_listener(
    asio::io_context& io, ListenerOptions options,
    std::function<void(const DispatchStatus&)> on_status) {
    return std::make_unique<Listener>(io, std::move(options), std::move(on_status));
}

}  // namespace chairwatch::drivers::notify
