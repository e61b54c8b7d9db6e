// The board's history and handover routes: past sessions by day, each session's HTML page
// (read-only, the same access as the board), and the acknowledgement response times of the
// shift for the handover view.
#include <fstream>
#include <sstream>

#include "board/board.hpp"
#include "board/replies.hpp"
#include "drivers/codec/json_writer.hpp"

namespace chairwatch::board {

namespace {

// The report page is our own HTML with inline CSS and SVG, and no script.
constexpr std::string_view report_csp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

bool valid_day(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (std::size_t i = 0; i < d.size(); ++i)
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) return false;
    return true;
}

}  // namespace

std::string Board::records_dir() const {
    return station_.records_dir ? station_.records_dir() : std::string();
}

Reply Board::history(const Request& req, const Caller& who) {
    if (auto r = refuse_reader(who)) return std::move(*r);
    const auto target = std::string_view(req.target().data(), req.target().size());
    const auto q = target.find('?');
    const auto day =
        q == std::string_view::npos ? std::string() : form_field(target.substr(q + 1), "day");
    if (!day.empty() && !valid_day(day)) return error(400, "day must be YYYY-MM-DD");
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("server_time").time(now().wall);
    write_history(w, history_, day);
    w.end_object();
    return json(200, std::move(out));
}

Reply Board::report_page(const Caller& who, std::string_view rest) {
    if (who.access == Access::bad_credentials) return error(401, "invalid station token");
    if (who.access == Access::none) return redirect("/login");
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return error(404, "no such report");
    const auto path =
        History::report_path(records_dir(), rest.substr(0, slash), rest.substr(slash + 1));
    if (!path) return error(404, "no such report");
    std::ifstream in(*path, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in) return error(404, "no such report");
    Reply r{make(200, "text/html; charset=utf-8", std::move(body).str())};
    r.res.set("Content-Security-Policy", report_csp);
    return r;
}

// Every acknowledgement of the shift (http.shift_hours): open sessions from memory, ended ones
// from records.
Reply Board::handover(const Caller& who) {
    if (auto r = refuse_reader(who)) return std::move(*r);
    const auto t = now();
    const auto since = t.wall - alerts::Millis(std::chrono::hours(cfg_.shift_hours));
    const auto since_text = alerts::format_iso8601(since);
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("server_time").time(t.wall);
    w.key("since").value(since_text);
    w.key("shift_hours").value(cfg_.shift_hours);
    w.key("acks").begin_array();
    const auto& clinic = station_.clinic();
    for (const auto& chair : clinic.chairs()) {
        const auto* s = clinic.session(chair);
        if (!s) continue;
        for (const auto& a : s->alarms)
            if (a.acknowledged_at && a.acknowledged_at->wall >= since)
                write_ack(w,
                          {a.condition, std::string(alerts::to_string(a.max_priority)),
                           a.acknowledged_by, alerts::format_iso8601(a.acknowledged_at->wall),
                           static_cast<double>((a.acknowledged_at->mono - a.onset.mono).count()) /
                               1000.0},
                          chair, s->id);
    }
    for (const auto* e : history_.sessions())
        for (const auto& a : e->acks)
            if (a.at >= since_text) write_ack(w, a, e->chair, e->session_id);
    w.end_array();
    w.key("out_of_service").begin_array();
    for (const auto& chair : clinic.chairs())
        if (const auto* why = clinic.out_of_service(chair)) {
            w.begin_object().key("chair").value(chair).key("since").time(why->since);
            w.key("reason").value(why->reason).key("by").value(why->by).end_object();
        }
    w.end_array();
    w.end_object();
    return json(200, std::move(out));
}

}  // namespace chairwatch::board
