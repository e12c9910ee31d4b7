#include "core/search/search_job.h"

#include "core/eval/run_folder.h"
#include "core/fileio/atomic_file.h"
#include "core/search/candidate_scorer.h"
#include "core/search/image_store.h"
#include "core/search/pair_selection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

namespace hpf {
namespace {

QJsonArray int_array(const std::vector<int>& values) {
  QJsonArray a;
  for (int v : values) a.append(v);
  return a;
}

QJsonObject json_object(const std::string& text) {
  return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

std::string duplicates_name(DuplicateRule rule) {
  return rule == DuplicateRule::Skip ? "skip" : "reference-break";
}

// search_run.json: everything that makes two searches the same search (a resume must match it).
std::string run_json(const Dataset& dataset, const RunDescription& run, const SearchOptions& o,
                     const std::string& split, const std::vector<int>& seeds,
                     const std::vector<int>& candidates, const std::vector<size_t>& pairs) {
  QJsonObject j;
  j["dataset"] = QString::fromStdString(dataset.name());
  j["split"] = QString::fromStdString(split);
  j["backbone"] = QString::fromStdString(run.backbone);
  j["weights"] = QString::fromStdString(run.weights);
  if (!run.weights_sha256.empty()) j["weights_sha256"] = QString::fromStdString(run.weights_sha256);
  j["device"] = QString::fromStdString(run.device);
  j["options"] = json_object(run.options_json);
  j["versions"] = json_object(run.versions_json);
  j["alpha"] = QString::fromStdString(o.alpha);
  j["threshold"] = QString::fromStdString(threshold_name(o.threshold));
  j["beam"] = o.beam;
  j["depth"] = o.depth;
  j["seeds"] = int_array(seeds);
  j["candidates"] = int_array(candidates);
  j["duplicates"] = QString::fromStdString(duplicates_name(o.duplicates));
  j["per_class"] = o.per_class;
  j["seed"] = QString::number(o.seed);
  j["limit"] = static_cast<qint64>(o.limit);
  QJsonArray p;
  for (size_t i : pairs) p.append(static_cast<qint64>(i));
  j["pairs"] = p;
  return QJsonDocument(j).toJson(QJsonDocument::Indented).toStdString();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The split searched (validation when the dataset has one) and the pairs scored on it.
std::vector<PairAnnotation> select_search_pairs(const Dataset& dataset, const SearchOptions& options,
                                                SearchResult* result) {
  const std::vector<std::string> splits = dataset.splits();
  result->split = options.split;
  if (result->split.empty()) {
    result->split = std::count(splits.begin(), splits.end(), "val") ? "val" : dataset.default_split();
    if (result->split != "val") {
      result->split_note = dataset.name() + " has no validation split: searching on '" + result->split + "'";
    }
  }
  std::vector<PairAnnotation> all_pairs = dataset.pairs(result->split);
  if (options.limit > 0 && static_cast<int64_t>(all_pairs.size()) > options.limit)
    all_pairs.resize(options.limit);
  if (options.per_class > 0) {
    result->pairs = select_per_class(all_pairs, options.per_class, options.seed);
  } else {
    for (size_t i = 0; i < all_pairs.size(); ++i) result->pairs.push_back(i);
  }
  if (result->pairs.empty()) {
    throw std::invalid_argument("layer search: the " + result->split + " split has no pairs");
  }
  std::vector<PairAnnotation> pairs;
  for (size_t i : result->pairs) pairs.push_back(all_pairs[i]);
  return pairs;
}

// What an interrupted search had finished: scored candidates per depth, and per-pair scores of the depth in
// flight.
struct FinishedWork {
  std::map<int, std::vector<SearchRecord>> scored;
  std::map<int, std::map<int64_t, ProgressRecord>> progress;
};

FinishedWork read_finished_work(const std::string& records_path, const std::string& progress_path) {
  FinishedWork work;
  for (const JsonLine& line : read_complete_lines(records_path)) {
    try {
      SearchRecord r = parse_search_line(line.text);
      work.scored[r.depth].push_back(std::move(r));
    } catch (const std::exception& e) {
      throw std::runtime_error(records_path + ":" + std::to_string(line.number) + ": " + e.what());
    }
  }
  for (const JsonLine& line : read_complete_lines(progress_path)) {
    try {
      ProgressRecord r = parse_progress_line(line.text);
      work.progress[r.depth][r.pair] = std::move(r);
    } catch (const std::exception& e) {
      throw std::runtime_error(progress_path + ":" + std::to_string(line.number) + ": " + e.what());
    }
  }
  return work;
}

// Scores the candidates of one depth pair by pair (resuming from the depth's finished pairs), then writes one
// record per candidate: its mean PCK over the pairs, summed in pair order as the evaluation sums it. Returns
// nothing when a cancel request stopped it between pairs.
class DepthScorer {
 public:
  DepthScorer(CandidateScorer& scorer, const std::vector<PairAnnotation>& pairs,
              const std::string& progress_path, LineAppender& progress_out, LineAppender& records_out,
              const JobContext& context)
      : scorer_(scorer),
        pairs_(pairs),
        progress_path_(progress_path),
        progress_out_(progress_out),
        records_out_(records_out),
        context_(context) {}

  std::optional<std::vector<SearchRecord>> score(int depth, const std::vector<Candidate>& candidates,
                                                 const std::map<int64_t, ProgressRecord>& finished) {
    const int64_t pair_count = static_cast<int64_t>(pairs_.size());
    std::vector<std::vector<double>> pck(pairs_.size()), seconds(pairs_.size());
    for (const auto& [index, record] : finished) {
      if (index < 0 || index >= pair_count || record.pck.size() != candidates.size()) {
        throw std::runtime_error(progress_path_ + ": a depth-" + std::to_string(depth) +
                                 " line does not fit this search (pair " + std::to_string(index) + ")");
      }
      pck[index] = record.pck;
      seconds[index] = record.seconds;
    }
    const std::string stage =
        "depth " + std::to_string(depth) + ", " + std::to_string(candidates.size()) + " sets";
    for (int64_t p = 0; p < pair_count; ++p) {
      if (!pck[p].empty()) continue;
      if (context_.cancelled()) return std::nullopt;
      const PairScore score = scorer_.score_pair(pairs_[p], candidates);
      progress_out_.append(progress_line({depth, p, score.pck, score.seconds}));
      pck[p] = score.pck;
      seconds[p] = score.seconds;
      context_.report(p + 1, pair_count, "pair " + pairs_[p].id, stage);
    }
    std::vector<SearchRecord> scored;
    for (size_t c = 0; c < candidates.size(); ++c) {
      SearchRecord r;
      r.depth = depth;
      r.layers = candidates[c].layers;
      double sum = 0;
      for (int64_t p = 0; p < pair_count; ++p) {
        sum += pck[p][c];
        r.seconds += seconds[p][c];
      }
      r.score = sum / static_cast<double>(pair_count);
      records_out_.append(search_line(r));
      scored.push_back(r);
    }
    return scored;
  }

 private:
  CandidateScorer& scorer_;
  const std::vector<PairAnnotation>& pairs_;
  const std::string& progress_path_;
  LineAppender& progress_out_;
  LineAppender& records_out_;
  const JobContext& context_;
};

// A depth read back from search.jsonl must list exactly the candidates this search produces at that depth.
void check_resumed_depth(const std::vector<SearchRecord>& scored, const std::vector<Candidate>& candidates,
                         int depth, const std::string& records_path) {
  bool same = scored.size() == candidates.size();
  for (size_t c = 0; same && c < candidates.size(); ++c) same = scored[c].layers == candidates[c].layers;
  if (!same) {
    throw std::runtime_error(records_path + ": depth " + std::to_string(depth) +
                             " lists other candidates than this search produces; use another output folder");
  }
}

// Keeps the depth's k best, updates the best set (a later depth must do strictly better) and returns the next
// depth's candidates.
std::vector<Candidate> keep_beam(const std::vector<SearchRecord>& scored, int depth,
                                 const std::vector<int>& ids, const SearchOptions& options,
                                 SearchResult* result) {
  std::vector<ScoredSet> sets;
  for (const SearchRecord& r : scored) sets.push_back({r.layers, r.score});
  result->records.insert(result->records.end(), scored.begin(), scored.end());
  result->top.push_back(top_k(sets, options.beam));
  const ScoredSet& leader = result->top.back().front();
  if (depth == 0 || leader.score > result->best.score) {
    result->best = leader;
    result->best_depth = depth;
  }
  std::vector<LayerSet> beams;
  for (const ScoredSet& s : result->top.back()) beams.push_back(s.layers);
  return extend_beams(beams, ids, options.duplicates);
}

}  // namespace

void SearchOptions::check() const {
  if (beam < 1) throw OptionError("beam", "expected at least 1, got " + std::to_string(beam));
  if (depth < 1) throw OptionError("depth", "expected at least 1, got " + std::to_string(depth));
  const std::vector<std::string> alphas = parse_alphas(alpha);  // throws OptionError("alphas")
  if (alphas.size() != 1) throw OptionError("alphas", "the search scores one alpha, got '" + alpha + "'");
  if (limit < 0)
    throw OptionError("limit", "expected 0 (all pairs) or a positive count, got " + std::to_string(limit));
  if (per_class < 0)
    throw OptionError("per_class", "expected 0 (off) or a positive count, got " + std::to_string(per_class));
}

SearchResult run_search(const Dataset& dataset, Backbone& backbone, const MatchOptions& match,
                        const RunDescription& run, const SearchOptions& options, const JobContext& context) {
  const auto started = std::chrono::steady_clock::now();
  // 1. Validate: options, and the seed and candidate ids against the backbone.
  options.check();
  if (options.output_dir.empty()) throw std::invalid_argument("layer search: no output directory given");
  std::vector<int> all_ids;
  for (const LayerInfo& layer : backbone.layers()) all_ids.push_back(layer.id);
  const std::vector<int> seeds =
      backbone.checked_ids(options.seeds.empty() ? reference_seed_ids(options.beam) : options.seeds);
  std::vector<int> candidates =
      backbone.checked_ids(options.candidates.empty() ? all_ids : options.candidates);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

  // 2. Select the pairs.
  SearchResult result;
  const std::vector<PairAnnotation> pairs = select_search_pairs(dataset, options, &result);

  // 3. Create or resume the output folder.
  const RunFolder folder{
      options.output_dir, "search_run.json", {"search.jsonl", "search_progress.jsonl"}, "search"};
  const std::string records_path = folder.path("search.jsonl");
  const std::string progress_path = folder.path("search_progress.jsonl");
  FinishedWork finished;
  if (folder.open(run_json(dataset, run, options, result.split, seeds, candidates, result.pairs),
                  options.resume)) {
    finished = read_finished_work(records_path, progress_path);
  }

  // 4. The beam search, depth by depth.
  std::vector<int> needed = seeds;
  needed.insert(needed.end(), candidates.begin(), candidates.end());
  ImageStore store(dataset, backbone, needed, match, options.image_budget_bytes);
  ScorerOptions scorer_options;
  scorer_options.match = match;
  scorer_options.threshold = options.threshold;
  scorer_options.alpha = options.alpha;
  scorer_options.term_budget_bytes = options.term_budget_bytes;
  CandidateScorer scorer(dataset, backbone, store, scorer_options);
  LineAppender records_out(records_path), progress_out(progress_path);
  DepthScorer depth_scorer(scorer, pairs, progress_path, progress_out, records_out, context);
  std::vector<Candidate> current = seed_candidates(seeds);
  for (int depth = 0; depth < options.depth && !current.empty(); ++depth) {
    std::vector<SearchRecord> scored;
    const auto resumed = finished.scored.find(depth);
    if (resumed != finished.scored.end()) {
      check_resumed_depth(resumed->second, current, depth, records_path);
      scored = resumed->second;
      result.resumed += static_cast<int64_t>(scored.size());
    } else {
      std::optional<std::vector<SearchRecord>> now =
          depth_scorer.score(depth, current, finished.progress[depth]);
      if (!now) {  // cancelled: resumable from the files
        result.backbone_passes = store.backbone_passes();
        result.seconds = seconds_since(started);
        return result;
      }
      scored = std::move(*now);
      result.scored_now += static_cast<int64_t>(scored.size());
    }
    current = keep_beam(scored, depth, candidates, options, &result);
  }

  // 5. The summary.
  result.complete = true;
  result.backbone_passes = store.backbone_passes();
  result.seconds = seconds_since(started);
  write_file_atomically(options.output_dir + "/search_summary.json",
                        search_summary_json(result, run, options));
  return result;
}

std::string search_summary_json(const SearchResult& result, const RunDescription& run,
                                const SearchOptions& options) {
  QJsonObject j;
  j["dataset"] = QString::fromStdString(run.dataset);
  j["split"] = QString::fromStdString(result.split);
  if (!result.split_note.empty()) j["split_note"] = QString::fromStdString(result.split_note);
  j["pairs"] = static_cast<qint64>(result.pairs.size());
  if (options.per_class > 0) {
    j["per_class"] = options.per_class;
    j["seed"] = QString::number(options.seed);
  }
  j["backbone"] = QString::fromStdString(run.backbone);
  j["weights"] = QString::fromStdString(run.weights);
  j["alpha"] = QString::fromStdString(options.alpha);
  j["threshold"] = QString::fromStdString(threshold_name(options.threshold));
  j["pck"] = "per-image";
  j["beam"] = options.beam;
  j["depth"] = options.depth;
  j["duplicates"] = QString::fromStdString(duplicates_name(options.duplicates));
  QJsonObject best;
  best["layers"] = int_array(result.best.layers);
  best["score"] = result.best.score;
  best["depth"] = result.best_depth;
  j["best"] = best;
  QJsonArray depths;
  for (size_t d = 0; d < result.top.size(); ++d) {
    QJsonObject entry;
    entry["depth"] = static_cast<int>(d);
    int64_t scored = 0;
    for (const SearchRecord& r : result.records) scored += r.depth == static_cast<int>(d);
    entry["candidates"] = static_cast<qint64>(scored);
    QJsonArray top;
    for (const ScoredSet& s : result.top[d])
      top.append(QJsonObject{{"layers", int_array(s.layers)}, {"score", s.score}});
    entry["top"] = top;
    depths.append(entry);
  }
  j["depths"] = depths;
  double compute = 0;
  for (const SearchRecord& r : result.records) compute += r.seconds;
  j["candidates_scored"] = static_cast<qint64>(result.records.size());
  j["candidate_seconds"] = compute;
  return QJsonDocument(j).toJson(QJsonDocument::Indented).toStdString();
}

}  // namespace hpf
