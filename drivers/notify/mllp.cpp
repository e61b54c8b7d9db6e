#include "drivers/notify/mllp.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include "drivers/codec/hl7_text.hpp"
#include "drivers/codec/text_rules.hpp"
#include "drivers/notify/hl7_acm.hpp"
#include "drivers/notify/in_flight.hpp"
#include "drivers/notify/tls_client.hpp"
#include "drivers/notify/webhook.hpp"

namespace chairwatch::drivers::notify {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

std::string mllp_frame(std::string_view message) {
    std::string out;
    out.reserve(message.size() + 3);
    out += mllp_start;
    out += message;
    out += mllp_end;
    out += mllp_cr;
    return out;
}

bool MllpDeframer::feed(std::string_view data, std::vector<std::string>& frames) {
    for (const char c : data) {
        if (c == mllp_start) {
            in_frame_ = true;
            buf_.clear();
            continue;
        }
        if (!in_frame_) continue;
        buf_ += c;
        const auto n = buf_.size();
        if (n >= 2 && buf_[n - 2] == mllp_end && buf_[n - 1] == mllp_cr) {
            buf_.resize(n - 2);
            frames.push_back(std::move(buf_));
            buf_.clear();
            in_frame_ = false;
        } else if (n > max_ + 2) {
            return false;
        }
    }
    return true;
}

namespace {

alerts::Millis wall_now() {
    return std::chrono::duration_cast<alerts::Millis>(
        std::chrono::system_clock::now().time_since_epoch());
}

struct AcmShared {
    AcmOptions options;
    std::optional<ssl::context> tls;
};

// One HL7 message to send, and the MSH-10 its ACK must answer.
struct Outgoing {
    std::string control_id;
    std::string text;
};

// One exchange: connect, then each message in order, each waiting for its ACK.
template <class Stream>
class AcmSession : public Abandonable, public std::enable_shared_from_this<AcmSession<Stream>> {
  public:
    template <class... StreamArgs>
    AcmSession(asio::io_context& io, std::shared_ptr<const AcmShared> shared,
               std::vector<Outgoing> messages, std::function<void(Result)> done,
               StreamArgs&&... args)
        : shared_(std::move(shared)),
          messages_(std::move(messages)),
          resolver_(io),
          stream_(std::forward<StreamArgs>(args)...),
          deadline_(io),
          done_(std::move(done)),
          deframer_(1 << 20) {}

    void start() {
        if (abandoned_) return;
        if (messages_.empty()) return finish({Outcome::delivered, "nothing to send"});
        arm("timeout after " + format_seconds(shared_->options.timeout) + " connecting");
        const auto& o = shared_->options;
        resolver_.async_resolve(
            o.host, std::to_string(o.port),
            [self = this->shared_from_this()](error_code ec, tcp::resolver::results_type r) {
                if (ec) return self->fail(ec, "resolve " + self->where());
                self->do_connect(r);
            });
    }

    void abandon() override {
        abandoned_ = true;
        close();
    }

  private:
    std::string where() const {
        return shared_->options.host + ":" + std::to_string(shared_->options.port);
    }

    tcp::socket& socket() {
        if constexpr (std::is_same_v<Stream, tcp::socket>)
            return stream_;
        else
            return stream_.next_layer();
    }

    // The deadline of the current step; on expiry the socket closes and `why` is the outcome.
    void arm(std::string why) {
        expired_why_ = std::move(why);
        deadline_.expires_after(shared_->options.timeout);
        deadline_.async_wait([self = this->shared_from_this()](error_code ec) {
            if (ec) return;
            self->timed_out_ = true;
            self->close();
        });
    }

    void do_connect(const tcp::resolver::results_type& r) {
        asio::async_connect(socket(), r,
                            [self = this->shared_from_this()](error_code ec, const tcp::endpoint&) {
                                if (ec) return self->fail(ec, "connect " + self->where());
                                self->on_connect();
                            });
    }

    void on_connect() {
        if constexpr (std::is_same_v<Stream, tcp::socket>) {
            send_next();
        } else {
            const auto& host = shared_->options.host;
            if (!set_sni(stream_.native_handle(), host))
                return finish({Outcome::failed, "TLS: cannot set SNI host name"});
            if (shared_->options.tls_verify)
                stream_.set_verify_callback(ssl::host_name_verification(host));
            stream_.async_handshake(ssl::stream_base::client,
                                    [self = this->shared_from_this()](error_code ec) {
                                        if (ec) return self->fail(ec, "TLS");
                                        self->send_next();
                                    });
        }
    }

    void send_next() {
        if (next_ == messages_.size()) {
            return finish({Outcome::delivered,
                           "HL7 AA" + (next_ > 1 ? " x" + std::to_string(next_) : std::string{})});
        }
        control_id_ = messages_[next_].control_id;
        out_ = mllp_frame(messages_[next_].text);
        arm("no ACK within " + format_seconds(shared_->options.timeout));
        asio::async_write(stream_, asio::buffer(out_),
                          [self = this->shared_from_this()](error_code ec, std::size_t) {
                              if (ec) return self->fail(ec, "send");
                              self->do_read();
                          });
    }

    void do_read() {
        stream_.async_read_some(
            asio::buffer(in_), [self = this->shared_from_this()](error_code ec, std::size_t got) {
                if (ec) {
                    if (ec == asio::error::eof && !self->timed_out_)
                        return self->finish({Outcome::failed, "connection closed before the ACK"});
                    return self->fail(ec, "read");
                }
                self->on_read(got);
            });
    }

    void on_read(std::size_t got) {
        std::vector<std::string> frames;
        if (!deframer_.feed(std::string_view(in_.data(), got), frames))
            return finish({Outcome::failed, "ACK larger than 1 MiB"});
        if (frames.empty()) return do_read();
        std::string error;
        const auto ack = parse_ack(frames.front(), error);
        if (!ack) return finish({Outcome::failed, "unreadable ACK: " + printable(error, 200)});
        if (ack->control_id != control_id_)
            return finish({Outcome::failed, "ACK for another message (MSA-2 " +
                                                printable(ack->control_id, 64) + ", sent " +
                                                control_id_ + ")"});
        const auto detail =
            "HL7 " + ack->code + (ack->text.empty() ? "" : ": " + printable(ack->text, 200));
        if (ack->code == "AE" || ack->code == "CE") return finish({Outcome::failed, detail});
        if (ack->code == "AR" || ack->code == "CR") return finish({Outcome::rejected, detail});
        ++next_;
        send_next();
    }

    void fail(error_code ec, const std::string& what) {
        if (timed_out_) return finish({Outcome::failed, expired_why_});
        auto message = ec.message();
        // OpenSSL 3 appends the library: "certificate verify failed (SSL routines)".
        if (what == "TLS") message = message.substr(0, message.find(" ("));
        finish({Outcome::failed, what + ": " + message});
    }

    void close() {
        resolver_.cancel();
        error_code ignored;
        socket().close(ignored);
    }

    void finish(Result r) {
        if (finished_) return;
        finished_ = true;
        deadline_.cancel();
        close();
        if (abandoned_) return;
        auto done = std::move(done_);
        done(std::move(r));
    }

    std::shared_ptr<const AcmShared> shared_;
    std::vector<Outgoing> messages_;
    tcp::resolver resolver_;
    Stream stream_;
    asio::steady_timer deadline_;
    std::function<void(Result)> done_;
    MllpDeframer deframer_;
    std::array<char, 4096> in_{};
    std::string out_;
    std::string control_id_;
    std::string expired_why_;
    std::size_t next_{0};
    bool timed_out_{false};
    bool finished_{false};
    bool abandoned_{false};
};

// The MLLP connections of one peer (TLS as its options say).
class MllpPeer {
  public:
    MllpPeer(asio::io_context& io, AcmOptions options) : io_(io) {
        if (options.host.empty()) throw std::invalid_argument("acm receiver needs a host");
        auto shared = std::make_shared<AcmShared>();
        if (options.tls) {
            shared->tls.emplace(make_client_context(options.tls_verify, options.ca_file, "acm"));
        }
        shared->options = std::move(options);
        shared_ = std::move(shared);
    }

    void send(std::vector<Outgoing> messages, std::function<void(Result)> done) {
        if (shared_->tls) {
            in_flight_.start(std::make_shared<AcmSession<ssl::stream<tcp::socket>>>(
                io_, shared_, std::move(messages), std::move(done), io_, *shared_->tls));
        } else {
            in_flight_.start(std::make_shared<AcmSession<tcp::socket>>(
                io_, shared_, std::move(messages), std::move(done), io_));
        }
    }
    const AcmOptions& options() const { return shared_->options; }

  private:
    asio::io_context& io_;
    std::shared_ptr<AcmShared> shared_;
    InFlight in_flight_{io_};  // last: abandoned first when the peer goes
};

// One ORU^R40 per transition.
class Acm final : public Transport {
  public:
    Acm(asio::io_context& io, AcmOptions options) : peer_(io, std::move(options)) {}

    void send(const Notification& n, std::function<void(Result)> done) override {
        std::vector<Outgoing> messages;
        const auto now = wall_now();
        for (std::size_t i = 0; i < n.transitions.size(); ++i)
            messages.push_back(
                {acm_control_id(n.key, i), encode_oru_r40(peer_.options(), n, i, now)});
        peer_.send(std::move(messages), std::move(done));
    }

  private:
    MllpPeer peer_;
};

class Sender final : public Hl7Sender {
  public:
    Sender(asio::io_context& io, AcmOptions options) : peer_(io, std::move(options)) {}

    void send(const std::vector<std::string>& messages, std::function<void(Result)> done) override {
        std::vector<Outgoing> out;
        std::string ignored;
        for (const auto& m : messages) {
            const auto parsed = hl7::Message::parse(m, ignored);
            out.push_back({parsed ? parsed->get("MSH", 10) : std::string{}, m});
        }
        peer_.send(std::move(out), std::move(done));
    }

  private:
    MllpPeer peer_;
};

}  // namespace

std::unique_ptr<Transport> make_acm(asio::io_context& io, AcmOptions options) {
    return std::make_unique<Acm>(io, std::move(options));
}

std::unique_ptr<Hl7Sender> make_hl7_sender(asio::io_context& io, AcmOptions options) {
    return std::make_unique<Sender>(io, std::move(options));
}

}  // namespace chairwatch::drivers::notify
