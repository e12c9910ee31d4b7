#include "core/eval/evaluation_job.h"

#include "core/eval/feature_cache.h"
#include "core/eval/pair_evaluation.h"
#include "core/fileio/atomic_file.h"
#include "core/image/image_io.h"
#include "core/pipeline/pair_matching.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <stdexcept>

#include <unistd.h>

namespace hpf {
namespace {

namespace fs = std::filesystem;

// run.json: what makes two runs the same run (a resume or a shard must match it).
std::string run_json(const RunDescription& run, const EvalOptions& options) {
  QJsonObject o;
  put_run_fields(o, run);
  o["device"] = QString::fromStdString(run.device);
  o["limit"] = static_cast<qint64>(options.limit);
  QJsonArray categories;
  for (const auto& c : options.categories) categories.append(QString::fromStdString(c));
  o["categories"] = categories;
  o["shard_count"] = options.shard_count;
  o["shard_index"] = options.shard_index;
  return QJsonDocument(o).toJson(QJsonDocument::Indented).toStdString();
}

RunDescription run_from_json(const std::string& text, const std::string& path, EvalOptions* options) {
  const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(text));
  if (!doc.isObject()) throw std::runtime_error(path + ": not a run description (invalid JSON)");
  const QJsonObject o = doc.object();
  RunDescription run = run_fields_from_json(o, path);
  if (options) {
    options->limit = o["limit"].toInteger();
    options->shard_count = o["shard_count"].toInt(1);
    options->shard_index = o["shard_index"].toInt(0);
    options->categories.clear();
    for (const QJsonValue& c : o["categories"].toArray())
      options->categories.push_back(c.toString().toStdString());
    options->pck = run.pck;
    options->alphas = run.alphas;
  }
  return run;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Appends lines to pairs.jsonl, each flushed to disk before the next pair starts.
class RecordWriter {
 public:
  explicit RecordWriter(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "ab")) {
    if (!file_) throw std::runtime_error(path + ": cannot open for appending");
  }
  ~RecordWriter() {
    if (file_) std::fclose(file_);
  }
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  void append(const PairRecord& record) {
    const std::string line = record_to_json_line(record) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0 ||
        ::fsync(fileno(file_)) != 0) {
      throw std::runtime_error(path_ + ": write failed (disk full or read-only?)");
    }
  }

 private:
  std::string path_;
  std::FILE* file_;
};

// Drops a partial last line (a run killed mid-write) so appending continues on a clean line boundary.
void truncate_partial_line(const std::string& path) {
  std::error_code error;
  if (!fs::exists(path, error)) return;
  const std::string text = read_text(path);
  if (text.empty() || text.back() == '\n') return;
  const size_t last_newline = text.rfind('\n');
  fs::resize_file(path, last_newline == std::string::npos ? 0 : last_newline + 1);
}

std::vector<PairAnnotation> select_pairs(const Dataset& dataset, const std::string& split,
                                         const EvalOptions& options) {
  std::vector<PairAnnotation> all = dataset.pairs(split);
  std::vector<PairAnnotation> out;
  const std::set<std::string> wanted(options.categories.begin(), options.categories.end());
  for (auto& pair : all) {
    if (!wanted.empty() && !wanted.count(pair.category)) continue;
    out.push_back(std::move(pair));
    if (options.limit > 0 && static_cast<int64_t>(out.size()) >= options.limit) break;
  }
  return out;
}

std::map<std::string, int> difficulty_flags(const PairAnnotation& pair) {
  std::map<std::string, int> flags;
  if (pair.viewpoint_variation >= 0) flags["viewpoint_variation"] = pair.viewpoint_variation;
  if (pair.scale_variation >= 0) flags["scale_variation"] = pair.scale_variation;
  if (pair.truncation >= 0) flags["truncation"] = pair.truncation;
  if (pair.occlusion >= 0) flags["occlusion"] = pair.occlusion;
  return flags;
}

// Decodes images ahead of use on a background thread and keeps hyperpixels of recently used images.
class ImageSupply {
 public:
  ImageSupply(const Dataset& dataset, const HyperpixelFlow& flow, const EvalOptions& options)
      : dataset_(dataset),
        flow_(flow),
        cache_(options.use_cache ? static_cast<size_t>(options.cache_images) : 0),
        prefetch_(options.use_cache) {}

  void prefetch(const std::string& path) {
    if (!prefetch_ || pending_.count(path) || cache_.contains(path)) return;
    pending_.emplace(path, std::async(std::launch::async, [this, path] { return decode(path); }));
  }

  std::shared_ptr<const CachedImage> features(const std::string& path) {
    if (auto hit = cache_.find(path)) return hit;
    DecodedImage image;
    auto pending = pending_.find(path);
    if (pending != pending_.end()) {
      auto future = std::move(pending->second);
      pending_.erase(pending);
      image = future.get();  // rethrows a decode error
    } else {
      image = decode(path);
    }
    auto entry = std::make_shared<CachedImage>();
    entry->features = describe_image(flow_, image);
    entry->decode_scale = image.scale;
    cache_.insert(path, entry);
    return entry;
  }

  const FeatureCache& cache() const { return cache_; }

 private:
  DecodedImage decode(const std::string& path) const {
    return decode_image(dataset_.read_file(path), dataset_.location(path));
  }

  const Dataset& dataset_;
  const HyperpixelFlow& flow_;
  FeatureCache cache_;
  bool prefetch_;
  std::map<std::string, std::future<DecodedImage>> pending_;
};

void write_summary_files(const std::string& dir, const Summary& summary, const RunDescription& run) {
  write_file_atomically(dir + "/summary.json", summary_json(summary, run));
  write_file_atomically(dir + "/pck_curve.csv", pck_curve_csv(summary));
}

}  // namespace

std::vector<PairRecord> read_pair_records(const std::string& path) {
  std::error_code error;
  if (!fs::exists(path, error)) return {};
  const std::string text = read_text(path);
  std::vector<PairRecord> records;
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    ++line_number;
    if (end == std::string::npos) break;  // partial last line of a killed run: not finished, ignore
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    try {
      records.push_back(record_from_json_line(line));
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(line_number) + ": " + e.what());
    }
  }
  return records;
}

EvalResult run_evaluation(const Dataset& dataset, const HyperpixelFlow& flow, RunDescription run,
                          const EvalOptions& options, const JobContext& context) {
  const auto started = std::chrono::steady_clock::now();
  if (options.output_dir.empty()) throw std::invalid_argument("evaluation: no output directory given");
  if (options.shard_count < 1 || options.shard_index < 0 || options.shard_index >= options.shard_count) {
    throw std::invalid_argument("evaluation: shard " + std::to_string(options.shard_index) + "/" +
                                std::to_string(options.shard_count) + " is not valid (expected 0 <= I < N)");
  }
  run.dataset = dataset.name();
  run.split = options.split.empty() ? dataset.default_split() : options.split;
  const ThresholdKind threshold =
      options.threshold_is_default ? dataset.default_threshold() : options.threshold;
  run.threshold = threshold_name(threshold);
  run.pck = options.pck;
  run.alphas = options.alphas;

  const std::vector<PairAnnotation> pairs = select_pairs(dataset, run.split, options);
  ensure_directory(options.output_dir);
  const std::string records_path = options.output_dir + "/pairs.jsonl";
  const std::string run_path = options.output_dir + "/run.json";
  const std::string description = run_json(run, options);

  std::set<int64_t> finished;
  EvalResult result;
  std::error_code error;
  if (options.resume && fs::exists(run_path, error)) {
    if (read_text(run_path) != description) {
      throw std::runtime_error(options.output_dir +
                               " holds a different run (run.json differs): use another --output");
    }
    truncate_partial_line(records_path);
    for (const PairRecord& r : read_pair_records(records_path)) finished.insert(r.index);
  } else {
    if (fs::exists(records_path, error) && fs::file_size(records_path, error) > 0) {
      throw std::runtime_error(records_path +
                               " already exists: use --resume to continue it or another --output");
    }
    write_file_atomically(run_path, description);
    write_file_atomically(records_path, "");
  }

  std::vector<int64_t> todo;
  for (int64_t i = 0; i < static_cast<int64_t>(pairs.size()); ++i) {
    if (i % options.shard_count != options.shard_index) continue;
    if (finished.count(i)) {
      ++result.resumed;
    } else {
      todo.push_back(i);
    }
  }

  ImageSupply supply(dataset, flow, options);
  RecordWriter writer(records_path);
  const int64_t total = result.resumed + static_cast<int64_t>(todo.size());
  for (size_t n = 0; n < todo.size(); ++n) {
    if (context.cancelled()) break;
    const PairAnnotation& pair = pairs[todo[n]];
    if (n + 1 < todo.size()) {
      supply.prefetch(pairs[todo[n + 1]].source_image);
      supply.prefetch(pairs[todo[n + 1]].target_image);
    }
    const auto pair_started = std::chrono::steady_clock::now();
    PairRecord record;
    record.index = todo[n];
    record.id = pair.id;
    record.source = pair.source_image;
    record.target = pair.target_image;
    record.category = pair.category;
    record.flags = difficulty_flags(pair);
    try {
      const auto src = supply.features(pair.source_image);
      const auto trg = supply.features(pair.target_image);
      const MatchedPair matched =
          match_described(flow, src->features, trg->features, src->decode_scale, trg->decode_scale);
      score_pair(matched, pair, dataset.annotation_kind(), threshold, options.alphas, record);
    } catch (const JobCancelled&) {
      throw;
    } catch (const std::exception& e) {
      if (!options.skip_bad)
        throw std::runtime_error("pair " + pair.id + " (" + pair.source_image + " -> " + pair.target_image +
                                 "): " + e.what());
      record = PairRecord{};
      record.index = todo[n];
      record.id = pair.id;
      record.source = pair.source_image;
      record.target = pair.target_image;
      record.category = pair.category;
      record.error = e.what();
    }
    record.milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - pair_started).count();
    writer.append(record);
    ++result.evaluated;
    context.report(result.resumed + result.evaluated, total, pair.id);
  }

  result.cache_hits = supply.cache().hits();
  result.cache_misses = supply.cache().misses();
  result.run = run;
  const std::vector<PairRecord> records = read_pair_records(records_path);
  result.summary = summarize(records, options.alphas, options.pck);
  result.complete = result.resumed + result.evaluated == total;
  if (result.complete) write_summary_files(options.output_dir, result.summary, run);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

EvalResult merge_evaluations(const std::vector<std::string>& shard_dirs, const std::string& output_dir) {
  if (shard_dirs.empty()) throw std::invalid_argument("merge: no shard directories given");
  EvalOptions first_options;
  RunDescription run;
  std::string reference_text;
  std::vector<PairRecord> records;
  std::set<int> shards_seen;
  for (const std::string& dir : shard_dirs) {
    EvalOptions options;
    const RunDescription shard_run = run_from_json(read_text(dir + "/run.json"), dir + "/run.json", &options);
    EvalOptions normalised = options;  // shards differ only in their index
    normalised.shard_index = 0;
    const std::string key = run_json(shard_run, normalised);
    if (reference_text.empty()) {
      run = shard_run;
      first_options = options;
      reference_text = key;
    } else if (key != reference_text) {
      throw std::runtime_error(dir + ": this shard belongs to a different run than " + shard_dirs.front());
    }
    if (!shards_seen.insert(options.shard_index).second) {
      throw std::runtime_error(dir + ": shard " + std::to_string(options.shard_index) + " given twice");
    }
    for (PairRecord& r : read_pair_records(dir + "/pairs.jsonl")) records.push_back(std::move(r));
  }
  if (static_cast<int>(shards_seen.size()) != first_options.shard_count) {
    throw std::runtime_error("merge: " + std::to_string(shards_seen.size()) + " of " +
                             std::to_string(first_options.shard_count) + " shards given");
  }
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  ensure_directory(output_dir);
  EvalOptions merged = first_options;
  merged.shard_count = 1;
  merged.shard_index = 0;
  std::string lines;
  for (const PairRecord& r : records) lines += record_to_json_line(r) + "\n";
  write_file_atomically(output_dir + "/run.json", run_json(run, merged));
  write_file_atomically(output_dir + "/pairs.jsonl", lines);
  EvalResult result;
  result.run = run;
  result.summary = summarize(records, run.alphas, run.pck);
  result.complete = true;
  write_summary_files(output_dir, result.summary, run);
  return result;
}

}  // namespace hpf
