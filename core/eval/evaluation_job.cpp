#include "core/eval/evaluation_job.h"

#include "core/eval/feature_cache.h"
#include "core/eval/pair_evaluation.h"
#include "core/eval/run_files.h"
#include "core/eval/run_folder.h"
#include "core/eval/run_identity.h"
#include "core/fileio/atomic_file.h"
#include "core/fileio/json_lines.h"
#include "core/image/image_io.h"
#include "core/pipeline/pair_matching.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <stdexcept>

namespace hpf {
namespace {

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

// Why the selection is empty: an empty split, or categories the split does not have (a typo).
std::string no_pair_selected(const Dataset& dataset, const std::string& split, const EvalOptions& options) {
  std::set<std::string> present;
  for (const PairAnnotation& pair : dataset.pairs(split)) present.insert(pair.category);
  if (present.empty())
    return dataset.name() + ": the split '" + split + "' has no pairs: nothing to evaluate";
  std::string wanted, known;
  for (const std::string& c : options.categories) wanted += (wanted.empty() ? "'" : ", '") + c + "'";
  for (const std::string& c : present) known += (known.empty() ? "" : ", ") + c;
  return dataset.name() + ": no pair of the split '" + split + "' is in the categories " + wanted +
         " (its categories: " + known + "): nothing to evaluate";
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

  std::shared_ptr<const DescribedImage> features(const std::string& path, StageTimings* timings) {
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
    auto entry = describe_decoded(flow_, image, timings);
    cache_.insert(path, entry);
    return entry;
  }

  // After a GPU fallback: the cached hyperpixels live on the GPU the backbone left.
  void forget_features() { cache_.clear(); }

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

// One image of a pair, described through the supply's cache.
class SuppliedImage : public PairImage {
 public:
  SuppliedImage(ImageSupply& supply, std::string path) : supply_(supply), path_(std::move(path)) {}
  std::shared_ptr<const DescribedImage> describe(const HyperpixelFlow&, StageTimings* timings) override {
    return supply_.features(path_, timings);
  }
  std::optional<std::pair<int, int>> resized_size(const MatchOptions&) const override { return std::nullopt; }
  void forget() override { supply_.forget_features(); }

 private:
  ImageSupply& supply_;
  std::string path_;
};

// The record of a pair before it is scored: where it comes from.
PairRecord pair_record(int64_t index, const PairAnnotation& pair) {
  PairRecord record;
  record.index = index;
  record.id = pair.id;
  record.source = pair.source_image;
  record.target = pair.target_image;
  record.category = pair.category;
  return record;
}

// Matches and scores one pair into its record; with skip_bad, a broken pair is recorded with its error.
PairRecord evaluate_pair(const Dataset& dataset, const HyperpixelFlow& flow, ImageSupply& supply,
                         int64_t index, const PairAnnotation& pair, ThresholdKind threshold,
                         const EvalOptions& options, const JobContext& context) {
  const auto started = std::chrono::steady_clock::now();
  PairRecord record = pair_record(index, pair);
  record.flags = difficulty_flags(pair);
  try {
    SuppliedImage source(supply, pair.source_image), target(supply, pair.target_image);
    const MatchedPair matched = match_pair(flow, source, target);
    if (!matched.notice.empty()) record.warnings.push_back(matched.notice);
    score_pair(matched, pair, dataset.annotation_kind(), threshold, options.alphas, record);
    for (const std::string& warning : record.warnings) context.warn("pair " + pair.id + ": " + warning);
  } catch (const JobCancelled&) {
    throw;
  } catch (const std::exception& e) {
    if (!options.skip_bad) {
      throw std::runtime_error("pair " + pair.id + " (" + pair.source_image + " -> " + pair.target_image +
                               "): " + e.what());
    }
    record = pair_record(index, pair);
    record.error = e.what();
  }
  record.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return record;
}

// The pairs of this shard, in split order.
std::vector<int64_t> shard_pairs(size_t pair_count, const EvalOptions& options) {
  std::vector<int64_t> shard;
  for (int64_t i = 0; i < static_cast<int64_t>(pair_count); ++i) {
    if (i % options.shard_count == options.shard_index) shard.push_back(i);
  }
  return shard;
}

}  // namespace

EvalResult run_evaluation(const Dataset& dataset, const HyperpixelFlow& flow, RunDescription run,
                          const EvalOptions& options, const JobContext& context) {
  const auto started = std::chrono::steady_clock::now();
  // 1. Validate and describe the run.
  if (options.output_dir.empty()) throw std::invalid_argument("evaluation: no output directory given");
  options.check();
  run.dataset = dataset.name();
  run.split = options.split.empty() ? dataset.default_split() : options.split;
  const ThresholdKind threshold =
      options.threshold_is_default ? dataset.default_threshold() : options.threshold;
  run.threshold = threshold_name(threshold);
  run.pck = options.pck;
  run.alphas = options.alphas;

  // 2. Select the pairs.
  const std::vector<PairAnnotation> pairs = select_pairs(dataset, run.split, options);
  if (pairs.empty()) throw std::runtime_error(no_pair_selected(dataset, run.split, options));

  // 3. Create or resume the output folder.
  const RunFolder folder{options.output_dir, "run.json", {"pairs.jsonl"}, "run"};
  const std::string records_path = folder.path("pairs.jsonl");
  std::set<int64_t> finished;
  if (folder.open(run_json(run, options), options.resume)) {
    for (const PairRecord& r : read_pair_records(records_path)) finished.insert(r.index);
  }
  EvalResult result;
  std::vector<int64_t> todo;  // the shard's pairs that pairs.jsonl does not hold yet
  for (int64_t i : shard_pairs(pairs.size(), options)) {
    if (finished.count(i)) {
      ++result.resumed;
    } else {
      todo.push_back(i);
    }
  }

  // 4. Evaluate pair by pair, each record synced before the next pair starts.
  ImageSupply supply(dataset, flow, options);
  LineAppender writer(records_path);
  const int64_t total = result.resumed + static_cast<int64_t>(todo.size());
  for (size_t n = 0; n < todo.size() && !context.cancelled(); ++n) {
    if (n + 1 < todo.size()) {
      supply.prefetch(pairs[todo[n + 1]].source_image);
      supply.prefetch(pairs[todo[n + 1]].target_image);
    }
    const PairAnnotation& pair = pairs[todo[n]];
    writer.append(record_to_json_line(
        evaluate_pair(dataset, flow, supply, todo[n], pair, threshold, options, context)));
    ++result.evaluated;
    context.report(result.resumed + result.evaluated, total, pair.id);
  }

  // 5. Summarise (from the records alone, so a resumed run gives the same summary).
  result.cache_hits = supply.cache().hits();
  result.cache_misses = supply.cache().misses();
  result.run = run;
  result.summary = summarize(read_pair_records(records_path), options.alphas, options.pck);
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
    const RunDescription shard_run =
        run_from_json(read_text_file(dir + "/run.json"), dir + "/run.json", &options);
    if (reference_text.empty()) {
      run = shard_run;
      first_options = options;
      reference_text = run_json(shard_run, options);
    } else {
      const std::vector<std::string> differences = run_differences(
          reference_text, run_json(shard_run, options), shard_dirs.front() + "/run.json", {"shard_index"});
      if (!differences.empty()) {
        throw std::runtime_error(dir + ": this shard belongs to a different run than " + shard_dirs.front() +
                                 ": " + join_differences(differences));
      }
    }
    if (!shards_seen.insert(options.shard_index).second) {
      throw std::runtime_error(dir + ": shard " + std::to_string(options.shard_index) + " given twice");
    }
    std::vector<PairRecord> shard_records = read_pair_records(dir + "/pairs.jsonl");
    std::error_code error;
    if (!std::filesystem::exists(dir + "/summary.json", error)) {  // written only once every pair is in
      throw std::runtime_error(dir + ": shard " + std::to_string(options.shard_index) + " is incomplete (" +
                               std::to_string(shard_records.size()) +
                               " pairs recorded, no summary.json): resume it before merging");
    }
    for (PairRecord& r : shard_records) records.push_back(std::move(r));
  }
  if (static_cast<int>(shards_seen.size()) != first_options.shard_count) {
    throw std::runtime_error("merge: " + std::to_string(shards_seen.size()) + " of " +
                             std::to_string(first_options.shard_count) + " shards given");
  }
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  const auto twice = std::adjacent_find(records.begin(), records.end(),
                                        [](const auto& a, const auto& b) { return a.index == b.index; });
  if (twice != records.end()) {
    throw std::runtime_error("merge: pair " + twice->id + " (index " + std::to_string(twice->index) +
                             ") is recorded twice: the shards overlap");
  }
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
