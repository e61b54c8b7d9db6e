// Sink: the nurse-station board's live view (board/), fed the same events as every other
// output.
#pragma once

#include "board/board.hpp"
#include "daemon/sinks/event_sink.hpp"

namespace chairwatch::daemon {

class BoardSink final : public EventSink {
  public:
    explicit BoardSink(board::Board& board) : board_(board) {}
    void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) override {
        board_.on_events(events, batch.at);
    }

  private:
    board::Board& board_;
};

}  // namespace chairwatch::daemon
