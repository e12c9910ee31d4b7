#include "tests/weights/local_http_server.h"

#include <QHostAddress>
#include <QTcpSocket>
#include <QTimer>

#include <stdexcept>

namespace hpf::test {

LocalHttpServer::LocalHttpServer(std::string file_name, QByteArray body)
    : file_name_(std::move(file_name)), body_(std::move(body)) {
  if (!server_.listen(QHostAddress::LocalHost, 0)) throw std::runtime_error("cannot listen on 127.0.0.1");
  QObject::connect(&server_, &QTcpServer::newConnection, [this] {
    while (QTcpSocket* socket = server_.nextPendingConnection()) serve(socket);
  });
}

std::string LocalHttpServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_.serverPort());
}

void LocalHttpServer::serve(QTcpSocket* socket) {
  QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
  // The request head accumulates in a dynamic property of the socket until its blank line arrives.
  QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
    QByteArray head = socket->property("head").toByteArray() + socket->readAll();
    socket->setProperty("head", head);
    if (head.size() > 16384) return socket->abort();
    if (head.contains("\r\n\r\n") && !socket->property("answered").toBool()) {
      socket->setProperty("answered", true);
      respond(socket, head);
    }
  });
}

void LocalHttpServer::respond(QTcpSocket* socket, const QByteArray& request) {
  const QList<QByteArray> lines = request.left(request.indexOf("\r\n\r\n")).split('\n');
  const QList<QByteArray> request_line = lines.value(0).trimmed().split(' ');
  QByteArray range;
  for (const QByteArray& line : lines.mid(1)) {
    if (line.toLower().startsWith("range:")) range = line.mid(6).trimmed();
  }
  range_headers_.push_back(range.toStdString());
  if (stall_) return;

  QByteArray head;
  QByteArray payload;
  if (request_line.value(0) != "GET" || request_line.value(1) != QByteArray("/") + file_name_.c_str()) {
    payload = "not found";
    head = "HTTP/1.1 404 Not Found\r\n";
  } else if (!range.isEmpty() && !ignore_range_) {
    const int64_t first = range.startsWith("bytes=") ? range.mid(6, range.indexOf('-') - 6).toLongLong() : -1;
    if (first < 0 || first >= body_.size()) {
      head = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" +
             QByteArray::number(body_.size()) + "\r\n";
    } else {
      payload = body_.mid(first);
      head = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + QByteArray::number(first) + "-" +
             QByteArray::number(body_.size() - 1) + "/" + QByteArray::number(body_.size()) + "\r\n";
    }
  } else {
    payload = body_;
    head = "HTTP/1.1 200 OK\r\n";
  }
  head += "Content-Length: " + QByteArray::number(payload.size()) + "\r\nConnection: close\r\n\r\n";
  socket->write(head);
  if (drops_left_ > 0 && drop_after_bytes_ >= 0 && drop_after_bytes_ < payload.size()) {
    --drops_left_;
    socket->write(payload.left(drop_after_bytes_));
    // Close only once the client has certainly read the bytes: a connection that closes before the client
    // parsed the response head is silently re-sent by Qt, which would hide the interruption from the test.
    QTimer::singleShot(150, socket, [socket] { socket->disconnectFromHost(); });
    return;
  } else if (pause_after_bytes_ >= 0 && pause_after_bytes_ < payload.size()) {
    socket->write(payload.left(pause_after_bytes_));
    QTimer::singleShot(pause_ms_, socket, [socket, rest = payload.mid(pause_after_bytes_)] {
      socket->write(rest);
      socket->disconnectFromHost();
    });
    return;
  } else {
    socket->write(payload);
  }
  socket->disconnectFromHost();  // after the pending bytes are written
}

}  // namespace hpf::test
