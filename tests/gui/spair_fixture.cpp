#include "spair_fixture.h"

#include "gui_fixtures.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <stdexcept>

namespace hpf::test {

namespace {

void write_text(const QString& path, const QByteArray& bytes) {
  QDir().mkpath(QFileInfo(path).path());
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) {
    throw std::runtime_error("cannot write " + path.toStdString());
  }
}

}  // namespace

std::vector<SpairFixturePair> write_spair(const QString& root, int count) {
  std::vector<SpairFixturePair> pairs;
  QByteArray list;
  for (int i = 0; i < count; ++i) {
    SpairFixturePair p;
    p.category = i % 2 ? QStringLiteral("dog") : QStringLiteral("cat");
    // Varied so that no two values of a flag have the same count over 16 pairs.
    p.flags = {i % 3 == 2 ? 2 : (i % 5 == 0 ? 1 : 0), (i / 4) % 3,
               i % 7 == 0   ? 3
               : i % 4 == 1 ? 1
                            : 0,
               i % 6 == 0 ? 2 : 0};
    p.keypoints = 4 + i % 3;
    const int dx = 6 + (i % 4) * 3, dy = 4 + (i % 3) * 2;
    const QString src = QStringLiteral("img%1a.png").arg(i, 3, 10, QChar('0'));
    const QString trg = QStringLiteral("img%1b.png").arg(i, 3, 10, QChar('0'));
    write_pattern_image(root + "/JPEGImages/" + p.category + "/" + src, 160, 120, 100 + i);
    write_pattern_image(root + "/JPEGImages/" + p.category + "/" + trg, 160, 120, 100 + i, dx, dy);
    p.name = QStringLiteral("%1-%2-%3:%4")
                 .arg(i + 1, 6, 10, QChar('0'))
                 .arg(QString(src).remove(".png"), QString(trg).remove(".png"), p.category);
    list += p.name.toUtf8() + '\n';
    QJsonArray src_kps, trg_kps, ids;
    double min_x = 1e9, min_y = 1e9, max_x = -1e9, max_y = -1e9;
    for (int k = 0; k < p.keypoints; ++k) {
      const double x = 25 + 22 * k, y = 30 + 13 * ((k * 3 + i) % 5);
      src_kps.append(QJsonArray{x, y});
      // Keypoints 3 and up are annotated 25 px away from where the pattern moved them: a matcher that follows
      // the pattern gets them wrong at small alphas, so PCK is informative (neither 0 nor 1).
      const double tx = x + dx - (k >= 3 ? 25 : 0), ty = y + dy;
      trg_kps.append(QJsonArray{tx, ty});
      ids.append(k);
      min_x = std::min(min_x, tx);
      min_y = std::min(min_y, ty);
      max_x = std::max(max_x, tx);
      max_y = std::max(max_y, ty);
    }
    QJsonObject o;
    o["src_imname"] = src;
    o["trg_imname"] = trg;
    o["category"] = p.category;
    o["src_kps"] = src_kps;
    o["trg_kps"] = trg_kps;
    o["kps_ids"] = ids;
    o["src_bndbox"] = QJsonArray{10, 10, 150, 110};
    o["trg_bndbox"] = QJsonArray{min_x - 5, min_y - 5, max_x + 5, max_y + 5};
    o["src_imsize"] = QJsonArray{160, 120, 3};
    o["trg_imsize"] = QJsonArray{160, 120, 3};
    o["viewpoint_variation"] = p.flags[0];
    o["scale_variation"] = p.flags[1];
    o["truncation"] = p.flags[2];
    o["occlusion"] = p.flags[3];
    o["mirror"] = i % 2;
    write_text(root + "/PairAnnotation/test/" + p.name + ".json", QJsonDocument(o).toJson());
    pairs.push_back(p);
  }
  write_text(root + "/Layout/large/test.txt", list);
  write_text(root + "/Layout/large/trn.txt", QByteArray());
  write_text(root + "/Layout/large/val.txt", QByteArray());
  return pairs;
}

}  // namespace hpf::test
