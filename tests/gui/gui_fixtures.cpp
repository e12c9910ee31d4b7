#include "gui_fixtures.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QRandomGenerator>
#include <QTextStream>

#include <stdexcept>

namespace hpf::test {

QString write_pattern_image(const QString& path, int width, int height, int seed, int dx, int dy) {
  QImage image(width, height, QImage::Format_RGB888);
  image.fill(QColor(120, 120, 120));
  QPainter p(&image);
  QRandomGenerator rng(static_cast<quint32>(seed));
  p.translate(dx, dy);
  for (int i = 0; i < 60; ++i) {
    const QColor c(rng.bounded(256), rng.bounded(256), rng.bounded(256));
    const int x = rng.bounded(width), y = rng.bounded(height), s = 8 + rng.bounded(30);
    p.setBrush(c);
    p.setPen(Qt::NoPen);
    if (i % 2) {
      p.drawEllipse(x, y, s, s);
    } else {
      p.drawRect(x, y, s, s / 2 + 4);
    }
  }
  p.end();
  QDir().mkpath(QFileInfo(path).path());
  if (!image.save(path, "PNG")) throw std::runtime_error("cannot write " + path.toStdString());
  return path;
}

QString write_corrupt_image(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) throw std::runtime_error("cannot write " + path.toStdString());
  f.write("\x89PNG\r\n\x1a\n this is not really an image");
  return path;
}

QString write_pf_willow(const QString& root, int dx, int dy) {
  write_pattern_image(root + "/car(G)/Cars_000a.png", 200, 150, 7);
  write_pattern_image(root + "/car(G)/Cars_001b.png", 200, 150, 7, dx, dy);
  QFile f(root + "/test_pairs.csv");
  if (!f.open(QIODevice::WriteOnly)) throw std::runtime_error("cannot write the csv");
  QTextStream out(&f);
  out << "imageA,imageB";
  for (const char* k : {"XA", "YA", "XB", "YB"}) {
    for (int i = 1; i <= 10; ++i) out << ',' << k << i;
  }
  out << "\nPF-dataset/car(G)/Cars_000a.png,PF-dataset/car(G)/Cars_001b.png";
  const double xs[10] = {30, 50, 70, 90, 110, 130, 150, 60, 100, 140};
  const double ys[10] = {40, 60, 80, 100, 50, 70, 90, 110, 30, 120};
  for (double x : xs) out << ',' << x;
  for (double y : ys) out << ',' << y;
  // Keypoints 5..9 are annotated 25 px away from where the pattern moved them, so a matcher that follows the
  // pattern gets 0..4 right and 5..9 wrong at a small alpha.
  for (int i = 0; i < 10; ++i) out << ',' << xs[i] + dx + (i >= 5 ? 25 : 0);
  for (int i = 0; i < 10; ++i) out << ',' << ys[i] + dy;
  out << '\n';
  return root;
}

}  // namespace hpf::test
