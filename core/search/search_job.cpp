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

}  // namespace

SearchResult run_search(const Dataset& dataset, Backbone& backbone, const MatchOptions& match,
                        const RunDescription& run, const SearchOptions& options, const JobContext& context) {
  const auto started = std::chrono::steady_clock::now();
  if (options.beam < 1)
    throw std::invalid_argument("beam size must be at least 1, got " + std::to_string(options.beam));
  if (options.depth < 1)
    throw std::invalid_argument("depth must be at least 1, got " + std::to_string(options.depth));
  if (options.output_dir.empty()) throw std::invalid_argument("layer search: no output directory given");
  const double alpha = std::stod(options.alpha);
  if (!(alpha > 0 && alpha <= 1))
    throw std::invalid_argument("alpha must be in (0, 1], got " + options.alpha);

  std::vector<int> all_ids;
  for (const LayerInfo& layer : backbone.layers()) all_ids.push_back(layer.id);
  const std::vector<int> seeds =
      backbone.checked_ids(options.seeds.empty() ? reference_seed_ids(options.beam) : options.seeds);
  std::vector<int> candidates =
      backbone.checked_ids(options.candidates.empty() ? all_ids : options.candidates);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

  SearchResult result;
  const std::vector<std::string> splits = dataset.splits();
  result.split = options.split;
  if (result.split.empty()) {
    result.split = std::count(splits.begin(), splits.end(), "val") ? "val" : dataset.default_split();
    if (result.split != "val") {
      result.split_note = dataset.name() + " has no validation split: searching on '" + result.split + "'";
    }
  }
  std::vector<PairAnnotation> all_pairs = dataset.pairs(result.split);
  if (options.limit > 0 && static_cast<int64_t>(all_pairs.size()) > options.limit)
    all_pairs.resize(options.limit);
  if (options.per_class > 0) {
    result.pairs = select_per_class(all_pairs, options.per_class, options.seed);
  } else {
    for (size_t i = 0; i < all_pairs.size(); ++i) result.pairs.push_back(i);
  }
  if (result.pairs.empty())
    throw std::invalid_argument("layer search: the " + result.split + " split has no pairs");
  std::vector<PairAnnotation> pairs;
  for (size_t i : result.pairs) pairs.push_back(all_pairs[i]);

  const RunFolder folder{
      options.output_dir, "search_run.json", {"search.jsonl", "search_progress.jsonl"}, "search"};
  const std::string records_path = folder.path("search.jsonl");
  const std::string progress_path = folder.path("search_progress.jsonl");
  std::map<int, std::vector<SearchRecord>> finished;
  std::map<int, std::map<int64_t, ProgressRecord>> progress;
  if (folder.open(run_json(dataset, run, options, result.split, seeds, candidates, result.pairs),
                  options.resume)) {
    for (const JsonLine& line : read_complete_lines(records_path)) {
      try {
        SearchRecord r = parse_search_line(line.text);
        finished[r.depth].push_back(std::move(r));
      } catch (const std::exception& e) {
        throw std::runtime_error(records_path + ":" + std::to_string(line.number) + ": " + e.what());
      }
    }
    for (const JsonLine& line : read_complete_lines(progress_path)) {
      try {
        ProgressRecord r = parse_progress_line(line.text);
        progress[r.depth][r.pair] = std::move(r);
      } catch (const std::exception& e) {
        throw std::runtime_error(progress_path + ":" + std::to_string(line.number) + ": " + e.what());
      }
    }
  }

  std::vector<int> needed = seeds;
  needed.insert(needed.end(), candidates.begin(), candidates.end());
  ImageStore store(dataset, backbone, needed, match.max_side, options.image_budget_bytes);
  ScorerOptions scorer_options;
  scorer_options.match = match;
  scorer_options.threshold = options.threshold;
  scorer_options.alpha = options.alpha;
  scorer_options.term_budget_bytes = options.term_budget_bytes;
  CandidateScorer scorer(dataset, backbone, store, scorer_options);
  LineAppender records_out(records_path), progress_out(progress_path);

  const int64_t pair_count = static_cast<int64_t>(pairs.size());
  std::vector<Candidate> current = seed_candidates(seeds);
  for (int depth = 0; depth < options.depth && !current.empty(); ++depth) {
    std::vector<SearchRecord> scored;
    const auto found = finished.find(depth);
    if (found != finished.end()) {
      scored = found->second;
      bool same = scored.size() == current.size();
      for (size_t c = 0; same && c < current.size(); ++c) same = scored[c].layers == current[c].layers;
      if (!same) {
        throw std::runtime_error(
            records_path + ": depth " + std::to_string(depth) +
            " lists other candidates than this search produces; use another output folder");
      }
      result.resumed += static_cast<int64_t>(scored.size());
    } else {
      // Per pair, in pair order, so the mean is summed as the evaluation sums it.
      std::vector<std::vector<double>> pck(pairs.size()), seconds(pairs.size());
      for (const auto& [index, record] : progress[depth]) {
        if (index < 0 || index >= pair_count || record.pck.size() != current.size()) {
          throw std::runtime_error(progress_path + ": a depth-" + std::to_string(depth) +
                                   " line does not fit this search (pair " + std::to_string(index) + ")");
        }
        pck[index] = record.pck;
        seconds[index] = record.seconds;
      }
      for (int64_t p = 0; p < pair_count; ++p) {
        if (!pck[p].empty()) continue;
        if (context.cancelled()) {
          result.backbone_passes = store.backbone_passes();
          result.seconds = seconds_since(started);
          return result;
        }
        const PairScore score = scorer.score_pair(pairs[p], current);
        progress_out.append(progress_line({depth, p, score.pck, score.seconds}));
        pck[p] = score.pck;
        seconds[p] = score.seconds;
        context.report(p + 1, pair_count, "pair " + pairs[p].id,
                       "depth " + std::to_string(depth) + ", " + std::to_string(current.size()) + " sets");
      }
      for (size_t c = 0; c < current.size(); ++c) {
        SearchRecord r;
        r.depth = depth;
        r.layers = current[c].layers;
        double sum = 0;
        for (int64_t p = 0; p < pair_count; ++p) {
          sum += pck[p][c];
          r.seconds += seconds[p][c];
        }
        r.score = sum / static_cast<double>(pair_count);
        records_out.append(search_line(r));
        scored.push_back(r);
      }
      result.scored_now += static_cast<int64_t>(scored.size());
    }

    std::vector<ScoredSet> sets;
    for (const SearchRecord& r : scored) sets.push_back({r.layers, r.score});
    result.records.insert(result.records.end(), scored.begin(), scored.end());
    result.top.push_back(top_k(sets, options.beam));
    const ScoredSet& leader = result.top.back().front();
    if (depth == 0 || leader.score > result.best.score) {  // a later depth must do strictly better
      result.best = leader;
      result.best_depth = depth;
    }
    std::vector<LayerSet> beams;
    for (const ScoredSet& s : result.top.back()) beams.push_back(s.layers);
    current = extend_beams(beams, candidates, options.duplicates);
  }

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
