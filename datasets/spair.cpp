#include "datasets/spair.h"

#include <algorithm>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "datasets/source_dataset.h"

namespace hpf {
namespace {

// Typed access to one pair's JSON with messages of the form "<file>: field 'src_kps'[3]: expected ..., found
// ...".
class JsonFields {
 public:
  JsonFields(const QJsonObject& object, std::string file) : object_(object), file_(std::move(file)) {}

  QJsonValue get(const char* key) const {
    const QJsonValue value = object_.value(QLatin1String(key));
    if (value.isUndefined()) throw DatasetError(file_ + ": field '" + key + "' is missing");
    return value;
  }
  std::string text(const char* key) const {
    const QJsonValue value = get(key);
    if (!value.isString()) throw error(key, "a string", value);
    return value.toString().toStdString();
  }
  int integer(const char* key) const {
    const QJsonValue value = get(key);
    const double number = value.toDouble();
    if (!value.isDouble() || number != double(int(number))) throw error(key, "an integer", value);
    return int(number);
  }
  std::vector<double> numbers(const char* key, size_t expected_count) const {
    const QJsonValue value = get(key);
    if (!value.isArray() || size_t(value.toArray().size()) != expected_count) {
      throw error(key, "an array of " + std::to_string(expected_count) + " numbers", value);
    }
    std::vector<double> result;
    for (const QJsonValue& item : value.toArray()) {
      if (!item.isDouble())
        throw error(key, "an array of " + std::to_string(expected_count) + " numbers", value);
      result.push_back(item.toDouble());
    }
    return result;
  }
  std::vector<Keypoint> points(const char* key) const {
    const QJsonValue value = get(key);
    if (!value.isArray()) throw error(key, "an array of [x, y]", value);
    std::vector<Keypoint> result;
    for (const QJsonValue& item : value.toArray()) {
      const QJsonArray pair = item.toArray();
      if (!item.isArray() || pair.size() != 2 || !pair[0].isDouble() || !pair[1].isDouble()) {
        throw error(key, "[x, y] numbers at index " + std::to_string(result.size()), item);
      }
      result.push_back({pair[0].toDouble(), pair[1].toDouble()});
    }
    return result;
  }
  std::vector<int> integers(const char* key) const {
    const QJsonValue value = get(key);
    if (!value.isArray()) throw error(key, "an array of integers", value);
    std::vector<int> result;
    for (const QJsonValue& item : value.toArray()) {
      if (!item.isDouble() && !item.isString()) throw error(key, "an array of integers", value);
      // SPair stores kps_ids as strings ("0", "4", ...) in some releases and numbers in others.
      bool ok = item.isDouble();
      const int id = item.isDouble() ? item.toInt() : item.toString().toInt(&ok);
      if (!ok) throw error(key, "an array of integers", value);
      result.push_back(id);
    }
    return result;
  }
  DatasetError error(const std::string& key, const std::string& expected, const QJsonValue& found) const {
    return DatasetError(file_ + ": field '" + key + "': expected " + expected + ", found " + describe(found));
  }
  const std::string& file() const { return file_; }

 private:
  static std::string describe(const QJsonValue& value) {
    QJsonArray wrapper{value};  // QJsonDocument cannot serialise a bare scalar
    std::string text = QJsonDocument(wrapper).toJson(QJsonDocument::Compact).toStdString();
    text = text.substr(1, text.size() - 2);
    return text.size() > 80 ? text.substr(0, 77) + "..." : text;
  }

  QJsonObject object_;
  std::string file_;
};

std::array<double, 4> checked_box(const JsonFields& fields, const char* key) {
  const std::vector<double> box = fields.numbers(key, 4);
  if (!(box[2] > box[0] && box[3] > box[1])) {
    throw DatasetError(fields.file() + ": field '" + key +
                       "': expected [x1, y1, x2, y2] with x2 > x1 and y2 > y1, found [" +
                       std::to_string(box[0]) + ", " + std::to_string(box[1]) + ", " +
                       std::to_string(box[2]) + ", " + std::to_string(box[3]) + "]");
  }
  return {box[0], box[1], box[2], box[3]};
}

class SPair : public SourceDataset {
 public:
  SPair(std::unique_ptr<DatasetSource> source, std::string layout)
      : SourceDataset(std::move(source)), layout_(std::move(layout)) {}

  std::string name() const override { return "spair"; }
  std::vector<std::string> splits() const override { return {"trn", "val", "test"}; }
  std::string default_split() const override { return "test"; }
  std::vector<std::string> categories() const override { return spair_categories(); }
  ThresholdKind default_threshold() const override { return ThresholdKind::BoundingBox; }
  AnnotationKind annotation_kind() const override { return AnnotationKind::Keypoints; }

  std::vector<PairAnnotation> pairs(const std::string& split) const override {
    require_split(split);
    const std::string list_path = "Layout/" + layout_ + "/" + split + ".txt";
    const std::string list = read_text(list_path);
    std::vector<PairAnnotation> pairs;
    size_t start = 0;
    for (int line = 1; start < list.size(); ++line) {
      size_t end = list.find('\n', start);
      if (end == std::string::npos) end = list.size();
      std::string name = list.substr(start, end - start);
      start = end + 1;
      while (!name.empty() && (name.back() == '\r' || name.back() == ' ')) name.pop_back();
      if (name.empty()) continue;
      pairs.push_back(read_pair(split, name, location(list_path) + " line " + std::to_string(line)));
    }
    return pairs;
  }

 private:
  PairAnnotation read_pair(const std::string& split, const std::string& name,
                           const std::string& listed_at) const {
    const size_t colon = name.rfind(':');
    if (colon == std::string::npos || name.find('/') != std::string::npos) {
      throw DatasetError(listed_at + ": expected a pair name '<id>-<source>-<target>:<category>', found '" +
                         name + "'");
    }
    const std::string json_path = "PairAnnotation/" + split + "/" + name + ".json";
    const std::string file = location(json_path);
    const std::vector<uint8_t> bytes = read_file(json_path);
    QJsonParseError parse_error{};
    const QJsonDocument document = QJsonDocument::fromJson(
        QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())), &parse_error);
    if (parse_error.error != QJsonParseError::NoError || !document.isObject()) {
      throw DatasetError(file + ": invalid JSON at byte " + std::to_string(parse_error.offset) + ": " +
                         (parse_error.error != QJsonParseError::NoError
                              ? parse_error.errorString().toStdString()
                              : std::string("expected an object")));
    }
    const JsonFields fields(document.object(), file);
    PairAnnotation pair;
    pair.id = name;
    pair.category = fields.text("category");
    if (pair.category != name.substr(colon + 1)) {
      throw DatasetError(file + ": field 'category': expected '" + name.substr(colon + 1) +
                         "' (from the pair name), found '" + pair.category + "'");
    }
    const auto& known = spair_categories();
    if (std::find(known.begin(), known.end(), pair.category) == known.end()) {
      throw DatasetError(file + ": field 'category': expected one of the 18 SPair-71k categories, found '" +
                         pair.category + "'");
    }
    pair.source_image = "JPEGImages/" + pair.category + "/" + fields.text("src_imname");
    pair.target_image = "JPEGImages/" + pair.category + "/" + fields.text("trg_imname");
    pair.source_kps = fields.points("src_kps");
    pair.target_kps = fields.points("trg_kps");
    pair.kps_ids = fields.integers("kps_ids");
    if (pair.source_kps.size() != pair.target_kps.size() || pair.kps_ids.size() != pair.source_kps.size()) {
      throw DatasetError(file +
                         ": keypoint counts differ: expected src_kps, trg_kps and kps_ids of equal length, "
                         "found " +
                         std::to_string(pair.source_kps.size()) + ", " +
                         std::to_string(pair.target_kps.size()) + " and " +
                         std::to_string(pair.kps_ids.size()));
    }
    if (pair.source_kps.empty())
      throw DatasetError(file + ": field 'src_kps': expected at least one keypoint, found none");
    pair.source_bbox = checked_box(fields, "src_bndbox");
    pair.target_bbox = checked_box(fields, "trg_bndbox");
    pair.has_bbox = true;
    pair.viewpoint_variation = fields.integer("viewpoint_variation");
    pair.scale_variation = fields.integer("scale_variation");
    pair.truncation = fields.integer("truncation");
    pair.occlusion = fields.integer("occlusion");
    pair.mirror = fields.integer("mirror");
    return pair;
  }

  std::string layout_;
};

}  // namespace

const std::vector<std::string>& spair_categories() {
  static const std::vector<std::string> categories = {
      "aeroplane", "bicycle", "bird",  "boat",      "bottle", "bus",         "car",   "cat",   "chair",
      "cow",       "dog",     "horse", "motorbike", "person", "pottedplant", "sheep", "train", "tvmonitor"};
  return categories;
}

std::unique_ptr<Dataset> open_spair(const std::string& folder_or_archive, const std::string& layout) {
  if (layout != "large" && layout != "small") {
    throw DatasetError("spair: unknown layout '" + layout + "'; expected 'large' or 'small'");
  }
  return std::make_unique<SPair>(open_source(folder_or_archive, "Layout"), layout);
}

}  // namespace hpf
