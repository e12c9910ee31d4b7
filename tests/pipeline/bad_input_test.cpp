// One table of bad inputs (issue "no silent wrong answer"), each fed to the command line (`hpf`, exit code
// and a stable fragment of what it prints) and to the core entry point the GUI calls for the same input (the
// same fragment in the exception it throws, or in the warnings it returns). Classes: options, annotations,
// images, run folders, checkpoints. A value that cannot be right is an error; a legal but suspicious one a
// warning.

#include "fixtures.h"

#include "core/compute/match_options.h"
#include "core/eval/eval_options.h"
#include "core/eval/evaluation_job.h"
#include "core/image/image_io.h"
#include "core/pipeline/model_loader.h"
#include "core/pipeline/pair_matching.h"

#include <opencv2/imgcodecs.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>

namespace hpf {
namespace {

namespace fs = std::filesystem;

// Inputs every case draws from: a PF-WILLOW-format dataset, a seeded MobileNetV2 checkpoint (and one with a
// NaN), images good and bad.
struct Fixture {
  test::TempDir dir;
  std::string root() const { return (dir.path() / "data").string(); }
  std::string weights() const { return (dir.path() / "w.pth").string(); }
  std::string file(const std::string& name) const { return (dir.path() / name).string(); }
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  const std::string text = read_text(path);
  return std::vector<uint8_t>(text.begin(), text.end());
}

// A JPEG with an EXIF APP1 segment whose IFD0 holds one entry: Orientation (0x0112) = `orientation`.
std::vector<uint8_t> jpeg_with_orientation(const std::vector<uint8_t>& jpeg, uint16_t orientation) {
  const std::vector<uint8_t> tiff = {'I',
                                     'I',
                                     42,
                                     0,
                                     8,
                                     0,
                                     0,
                                     0,  // little-endian TIFF header, IFD0 at 8
                                     1,
                                     0,  // one entry
                                     0x12,
                                     0x01,
                                     3,
                                     0,
                                     1,
                                     0,
                                     0,
                                     0,  // tag 0x0112, SHORT, count 1
                                     static_cast<uint8_t>(orientation),
                                     0,
                                     0,
                                     0,  // value
                                     0,
                                     0,
                                     0,
                                     0};  // no next IFD
  std::vector<uint8_t> app1 = {'E', 'x', 'i', 'f', 0, 0};
  app1.insert(app1.end(), tiff.begin(), tiff.end());
  const size_t length = app1.size() + 2;
  std::vector<uint8_t> out = {
      0xFF, 0xD8, 0xFF, 0xE1, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length & 0xFF)};
  out.insert(out.end(), app1.begin(), app1.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());  // the rest after SOI
  return out;
}

// Sets field `column` (0-based) of the CSV's first pair row.
void set_first_row_field(const std::string& csv, size_t column, const std::string& value) {
  std::string text = read_text(csv);
  size_t start = text.find('\n') + 1;
  for (size_t c = 0; c < column; ++c) start = text.find(',', start) + 1;
  text.replace(start, text.find_first_of(",\n", start) - start, value);
  std::ofstream(csv, std::ios::binary) << text;
}

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliResult run_cli(const std::vector<std::string>& args) {
  std::string command = HPF_CLI_PATH;
  for (const std::string& a : args) command += " '" + a + "'";
  command += " 2>&1";
  CliResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) result.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// What the core entry point says: an exception's message, or its warnings.
using CoreCall = std::function<std::string(const Fixture&)>;

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

std::string joined(const std::vector<std::string>& warnings) {
  std::string out;
  for (const std::string& w : warnings) out += w + "\n";
  return out.empty() ? "(no warning)" : out;
}

MatchOptions mobilenet_options() {
  MatchOptions o;
  o.layers = {2, 4, 7};
  return o;
}

// The GUI's evaluation: run_evaluation on the dataset, seeded network, default options.
std::string evaluate(const Fixture& f, const std::string& out,
                     const std::vector<std::string>& categories = {}, bool resume = false) {
  const auto dataset = open_dataset("pf-willow", f.root());
  auto backbone = load_backbone("mobilenet_v2", f.weights(), "cpu");
  const HyperpixelFlow flow(*backbone, mobilenet_options());
  EvalOptions options;
  options.output_dir = f.file(out);
  options.alphas = {"0.1"};
  options.categories = categories;
  options.resume = resume;
  std::vector<std::string> warnings;
  JobContext context;
  context.warning = [&](const std::string& w) { warnings.push_back(w); };
  const std::string error =
      error_of([&] { run_evaluation(*dataset, flow, RunDescription{}, options, context); });
  return error == "(no error)" ? joined(warnings) : error;
}

struct BadInput {
  const char* klass;
  const char* name;
  std::function<void(const Fixture&)> setup;  // writes the bad input; may be empty
  std::vector<std::string> cli;               // {root}, {weights}, {dir} are substituted
  int exit_code;
  const char* fragment;  // in the CLI's output and in what the core says
  CoreCall core;
};

std::vector<std::string> substitute(const std::vector<std::string>& args, const Fixture& f) {
  std::vector<std::string> out;
  for (std::string a : args) {
    for (const auto& [key, value] : std::map<std::string, std::string>{
             {"{root}", f.root()}, {"{weights}", f.weights()}, {"{dir}", f.dir.str()}}) {
      for (size_t at; (at = a.find(key)) != std::string::npos;) a.replace(at, key.size(), value);
    }
    out.push_back(a);
  }
  return out;
}

const std::vector<std::string> kMatch = {"match",     "--backbone", "mobilenet_v2",
                                         "--weights", "{weights}",  "--layers",
                                         "2,4,7",     "--output",   "{dir}/match-out"};
std::vector<std::string> match_args(const std::string& source, const std::string& target,
                                    const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"match", source, target};
  args.insert(args.end(), kMatch.begin() + 1, kMatch.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}
std::vector<std::string> eval_args(const std::string& out, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"eval",       "--dataset",    "pf-willow", "--root",    "{root}",
                                   "--backbone", "mobilenet_v2", "--weights", "{weights}", "--layers",
                                   "2,4,7",      "--alpha",      "0.1",       "--output",  "{dir}/" + out};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string check_options(const std::function<void(MatchOptions&)>& set) {
  MatchOptions o = mobilenet_options();
  set(o);
  return error_of([&] { o.check(); });
}

const std::string kGood = "{root}/car(G)/img0.png";

std::vector<BadInput> bad_inputs() {
  return {
      // Options: each checked once in core, before any work.
      {"options",
       "absurd exponent",
       {},
       match_args(kGood, kGood, {"--exponent", "1000"}),
       2,
       "expected a number in (0, 32], got 1000",
       [](const Fixture&) { return check_options([](MatchOptions& o) { o.rhm.exponent = 1000; }); }},
      {"options",
       "huge ncells",
       {},
       match_args(kGood, kGood, {"--ncells", "2000000000"}),
       2,
       "got 2000000000",
       [](const Fixture&) { return check_options([](MatchOptions& o) { o.rhm.ncells = 2000000000; }); }},
      {"options",
       "huge kernel",
       {},
       match_args(kGood, kGood, {"--kernel", "1001"}),
       2,
       "expected an odd number from 1 to 101, got 1001",
       [](const Fixture&) { return check_options([](MatchOptions& o) { o.rhm.kernel_size = 1001; }); }},
      {"options",
       "tiny max side",
       {},
       match_args(kGood, kGood, {"--max-side", "1"}),
       2,
       "expected 0 (keep the original size) or 32 to 4096 pixels, got 1",
       [](const Fixture&) { return check_options([](MatchOptions& o) { o.max_side = 1; }); }},
      {"options",
       "SCOT epsilon zero",
       {},
       match_args(kGood, kGood, {"--matcher", "scot", "--ot-eps", "0"}),
       2,
       "expected a number from 0.001 to 10, got 0",
       [](const Fixture&) {
         return check_options([](MatchOptions& o) {
           o.method = "scot";
           o.ot.epsilon = 0;
         });
       }},
      {"options",
       "alpha nan",
       {},
       eval_args("nan-alpha", {"--alpha", "nan"}),
       2,
       "nan",
       [](const Fixture&) { return error_of([] { parse_alphas("nan"); }); }},
      {"options",
       "negative limit",
       {},
       eval_args("neg-limit", {"--limit", "-1"}),
       2,
       "expected 0 (all pairs) or a positive count, got -1",
       [](const Fixture&) {
         EvalOptions o;
         o.alphas = {"0.1"};
         o.limit = -1;
         return error_of([&] { o.check(); });
       }},
      // Annotations: a coordinate that cannot be right stops; one slightly off is kept with a warning.
      {"annotations", "nan coordinate",
       [](const Fixture& f) { set_first_row_field(f.root() + "/test_pairs.csv", 2, "nan"); },
       eval_args("nan-kp"), 1, "column 3 (source x1): expected a finite number, found 'nan'",
       [](const Fixture& f) {
         return error_of([&] { open_dataset("pf-willow", f.root())->pairs("test"); });
       }},
      {"annotations", "keypoint far outside its image",
       [](const Fixture& f) { set_first_row_field(f.root() + "/test_pairs.csv", 22, "400"); },
       eval_args("far-kp"), 1, "target keypoint 0 (400.0, ",
       [](const Fixture& f) { return evaluate(f, "far-kp-core"); }},
      {"annotations", "keypoint slightly outside its image",
       [](const Fixture& f) { set_first_row_field(f.root() + "/test_pairs.csv", 22, "203"); },
       eval_args("near-kp"), 0, "lies 3.0 px outside the 200x180 image",
       [](const Fixture& f) { return evaluate(f, "near-kp-core"); }},
      {"annotations",
       "category that selects no pair",
       {},
       eval_args("typo", {"--category", "cars"}),
       1,
       "car(G)",
       [](const Fixture& f) { return evaluate(f, "typo-core", {"cars"}); }},
      // Images: what the decoder repaired or leaves undone is a warning; what it cannot read, an error.
      {"images", "truncated JPEG",
       [](const Fixture& f) {
         std::vector<uint8_t> jpeg;
         cv::imencode(".jpg", cv::imread(f.root() + "/car(G)/img0.png"), jpeg);
         jpeg.resize(jpeg.size() / 2);
         write_bytes(f.file("truncated.jpg"), jpeg);
       },
       match_args("{dir}/truncated.jpg", kGood), 0, "damaged JPEG data, repaired by the decoder",
       [](const Fixture& f) { return joined(read_image(f.file("truncated.jpg")).warnings); }},
      {"images", "EXIF orientation",
       [](const Fixture& f) {
         std::vector<uint8_t> jpeg;
         cv::imencode(".jpg", cv::imread(f.root() + "/car(G)/img0.png"), jpeg);
         write_bytes(f.file("rotated.jpg"), jpeg_with_orientation(jpeg, 6));
       },
       match_args("{dir}/rotated.jpg", kGood), 0, "EXIF orientation 6 (rotated 90° clockwise) is not applied",
       [](const Fixture& f) { return joined(read_image(f.file("rotated.jpg")).warnings); }},
      {"images", "truncated PNG",
       [](const Fixture& f) {
         std::vector<uint8_t> png = read_bytes(f.root() + "/car(G)/img0.png");
         png.resize(png.size() / 2);
         write_bytes(f.file("truncated.png"), png);
       },
       match_args("{dir}/truncated.png", kGood), 1, "truncated.png: not a readable image",
       [](const Fixture& f) { return error_of([&] { read_image(f.file("truncated.png")); }); }},
      {"images", "a 1x1 image",
       [](const Fixture& f) { cv::imwrite(f.file("dot.png"), cv::Mat(1, 1, CV_8UC3, cv::Scalar(1, 2, 3))); },
       match_args("{dir}/dot.png", kGood), 1, "dot.png (1x1)",
       [](const Fixture& f) {
         auto backbone = load_backbone("mobilenet_v2", f.weights(), "cpu");
         const HyperpixelFlow flow(*backbone, mobilenet_options());
         return error_of([&] { describe_image(flow, read_image(f.file("dot.png"))); });
       }},
      {"images", "a header claiming 20000 x 20000 pixels",
       [](const Fixture& f) {
         std::vector<uint8_t> png = read_bytes(f.root() + "/car(G)/img0.png");
         for (size_t at : {16, 20}) {  // IHDR width, height: 20000 = 0x4E20
           png[at] = 0, png[at + 1] = 0, png[at + 2] = 0x4E, png[at + 3] = 0x20;
         }
         write_bytes(f.file("huge.png"), png);
       },
       match_args("{dir}/huge.png", kGood, {"--max-side", "0"}), 1,
       "20000x20000 is 400 megapixels, above the 250",
       [](const Fixture& f) { return error_of([&] { read_image(f.file("huge.png")); }); }},
      // Run folders: nothing resumed or merged that would change the numbers.
      {"run folders",
       "merge of an interrupted shard",
       [](const Fixture&
              f) {  // shard 0 of 2, stopped before its summary: a real run with its summary removed
         ASSERT_EQ(run_cli(substitute(eval_args("shard-0", {"--shard", "0/2"}), f)).exit_code, 0);
         fs::remove(f.file("shard-0/summary.json"));
       },
       {"merge", "{dir}/shard-0", "--output", "{dir}/merged"},
       1,
       "summary.json",
       [](const Fixture& f) {
         return error_of([&] { merge_evaluations({f.file("shard-0")}, f.file("merged-core")); });
       }},
      {"run folders", "resume without run.json",
       [](const Fixture& f) {
         ASSERT_EQ(run_cli(substitute(eval_args("no-run-json"), f)).exit_code, 0);
         fs::remove(f.file("no-run-json/run.json"));
       },
       eval_args("no-run-json", {"--resume"}), 1, "run.json",
       [](const Fixture& f) { return evaluate(f, "no-run-json", {}, /*resume=*/true); }},
      // Checkpoints: a NaN weight would collapse every match to one corner.
      {"checkpoints",
       "NaN in a weight tensor",
       {},
       match_args(kGood, kGood, {"--weights", "{dir}/nan.pth"}),
       1,
       "NaN",
       [](const Fixture& f) {
         return error_of([&] { load_backbone("mobilenet_v2", f.file("nan.pth"), "cpu"); });
       }},
  };
}

class BadInputs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The checkpoints come from torchvision itself (Debian's python3-torchvision), as users' files do.
    const char* python = std::getenv("HPF_TEST_PYTHON");
    ASSERT_TRUE(python) << "HPF_TEST_PYTHON unset: run through ctest";
    weights_dir_ = std::make_unique<test::TempDir>();
    const std::string dir = weights_dir_->str();
    const std::string command = std::string(python) +
                                " -c \"import torch, torchvision; torch.manual_seed(0); "
                                "s = torchvision.models.mobilenet_v2().state_dict(); torch.save(s, '" +
                                dir +
                                "/w.pth'); s['features.3.conv.1.0.weight'][0, 0, 0, 0] = float('nan'); "
                                "torch.save(s, '" +
                                dir + "/nan.pth')\"";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() { weights_dir_.reset(); }

  // A fresh fixture per case: the dataset (2 classes x 3 images) and the checkpoints.
  std::unique_ptr<Fixture> fixture() const {
    auto f = std::make_unique<Fixture>();
    test::write_pf_willow_fixture(f->root(), 3, 7);
    fs::copy_file(weights_dir_->str() + "/w.pth", f->weights());
    fs::copy_file(weights_dir_->str() + "/nan.pth", f->file("nan.pth"));
    return f;
  }

  static std::unique_ptr<test::TempDir> weights_dir_;
};
std::unique_ptr<test::TempDir> BadInputs::weights_dir_;

TEST_F(BadInputs, CliAndCoreRefuseOrWarnWithTheSameWords) {
  std::map<std::string, int> per_class;
  for (const BadInput& c : bad_inputs()) {
    SCOPED_TRACE(std::string(c.klass) + ": " + c.name);
    const auto f = fixture();
    if (c.setup) c.setup(*f);
    const CliResult cli = run_cli(substitute(c.cli, *f));
    EXPECT_EQ(cli.exit_code, c.exit_code) << cli.output;
    EXPECT_NE(cli.output.find(c.fragment), std::string::npos) << "CLI: " << cli.output;
    const std::string core = c.core(*f);
    EXPECT_NE(core.find(c.fragment), std::string::npos) << "core: " << core;
    ++per_class[c.klass];
    // The line that says it, as a user reads it.
    const size_t at = cli.output.find(c.fragment);
    if (at != std::string::npos) {
      const size_t begin = cli.output.rfind('\n', at) + 1, end = cli.output.find('\n', at);
      std::printf("[%s] %s: exit %d: %s\n", c.klass, c.name, cli.exit_code,
                  cli.output.substr(begin, end - begin).c_str());
    }
  }
  std::printf("bad inputs checked, per class:");
  for (const auto& [klass, count] : per_class) std::printf(" %s %d;", klass.c_str(), count);
  std::printf("\n");
}

}  // namespace
}  // namespace hpf
