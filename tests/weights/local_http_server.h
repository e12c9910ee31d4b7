#pragma once
// A tiny HTTP/1.1 file server on 127.0.0.1 (ephemeral port) for download tests. It serves one file, honours
// "Range: bytes=N-" and can misbehave on demand: drop the connection part-way, or ignore Range.
// It lives in the test's thread: download_weights() runs a local event loop there, which also serves it.

#include <QByteArray>
#include <QTcpServer>

#include <string>
#include <vector>

namespace hpf::test {

class LocalHttpServer {
 public:
  // Serves `body` at /<file_name>; every other path gets 404.
  LocalHttpServer(std::string file_name, QByteArray body);

  // http://127.0.0.1:<port> (no trailing slash).
  std::string base_url() const;

  // The next `times` responses close the connection after `bytes` body bytes.
  void drop_after(int64_t bytes, int times) {
    drop_after_bytes_ = bytes;
    drops_left_ = times;
  }
  // Every response pauses for `ms` milliseconds after `bytes` body bytes (so a client can act mid-file).
  void pause_after(int64_t bytes, int ms) {
    pause_after_bytes_ = bytes;
    pause_ms_ = ms;
  }
  // Accept connections but never answer (to test stall timeouts).
  void stall(bool stall) { stall_ = stall; }
  // Answer every request with 200 and the whole file, whatever its Range header says.
  void ignore_range(bool ignore) { ignore_range_ = ignore; }

  // The Range header of each request so far ("" when it had none), in order. Qt may open an extra connection
  // that repeats a request whose connection dropped, so tests look at the requests they can predict.
  const std::vector<std::string>& range_headers() const { return range_headers_; }
  // The non-empty Range headers so far, in order.
  std::vector<std::string> ranges_requested() const {
    std::vector<std::string> ranges;
    for (const std::string& r : range_headers_) {
      if (!r.empty()) ranges.push_back(r);
    }
    return ranges;
  }

 private:
  void serve(class QTcpSocket* socket);
  void respond(class QTcpSocket* socket, const QByteArray& request);

  QTcpServer server_;
  std::string file_name_;
  QByteArray body_;
  int64_t drop_after_bytes_ = -1;
  int drops_left_ = 0;
  int64_t pause_after_bytes_ = -1;
  int pause_ms_ = 0;
  bool ignore_range_ = false;
  bool stall_ = false;
  std::vector<std::string> range_headers_;
};

}  // namespace hpf::test
