// One table of invalid matching options, fed to the command line (flags parsed by `hpf`) and to the GUI (its
// MatchSettings, as the settings dock fills them): both must refuse each value with core's one message, each
// naming the option its own way (--kernel / "Smoothing kernel"), and accept the values at the bounds.
#include "app/cli/cli_common.h"
#include "app/cli/match_options.h"
#include "ui/match_settings.h"

#include <gtest/gtest.h>
#include <QCommandLineParser>
#include <QCoreApplication>

#include <functional>
#include <string>
#include <vector>

namespace hpf {
namespace {

struct Case {
  const char* name;
  QStringList flags;                        // what a user types
  std::function<void(MatchSettings&)> set;  // what the settings dock would hold
  const char* option;                       // core's name of the option at fault
  const char* problem;                      // a stable fragment of core's message
};

const std::vector<Case>& bad_options() {
  static const std::vector<Case> cases = {
      {"exponent zero",
       {"--exponent", "0"},
       [](MatchSettings& s) { s.match.rhm.exponent = 0; },
       "exponent",
       "expected a number in (0, 32], got 0"},
      {"exponent negative",
       {"--exponent", "-2"},
       [](MatchSettings& s) { s.match.rhm.exponent = -2; },
       "exponent",
       "got -2"},
      {"exponent nan",
       {"--exponent", "nan"},
       [](MatchSettings& s) { s.match.rhm.exponent = NAN; },
       "exponent",
       "got nan"},
      {"exponent absurd",
       {"--exponent", "1000"},
       [](MatchSettings& s) { s.match.rhm.exponent = 1000; },
       "exponent",
       "got 1000"},
      {"ncells zero",
       {"--ncells", "0"},
       [](MatchSettings& s) { s.match.rhm.ncells = 0; },
       "ncells",
       "expected 1 to 1048576 Hough cells, got 0"},
      {"ncells huge",
       {"--ncells", "2000000000"},
       [](MatchSettings& s) { s.match.rhm.ncells = 2000000000; },
       "ncells",
       "got 2000000000"},
      {"kernel even",
       {"--kernel", "8"},
       [](MatchSettings& s) { s.match.rhm.kernel_size = 8; },
       "kernel_size",
       "expected an odd number from 1 to 101, got 8"},
      {"kernel huge",
       {"--kernel", "1001"},
       [](MatchSettings& s) { s.match.rhm.kernel_size = 1001; },
       "kernel_size",
       "got 1001"},
      {"max side tiny",
       {"--max-side", "1"},
       [](MatchSettings& s) { s.match.max_side = 1; },
       "max_side",
       "expected 0 (keep the original size) or 32 to 4096 pixels, got 1"},
      {"max side negative",
       {"--max-side", "-5"},
       [](MatchSettings& s) { s.match.max_side = -5; },
       "max_side",
       "got -5"},
      {"max side huge",
       {"--max-side", "20000"},
       [](MatchSettings& s) { s.match.max_side = 20000; },
       "max_side",
       "got 20000"},
      {"memory budget negative",
       {"--memory-budget", "-1"},
       [](MatchSettings& s) { s.match.memory_budget_mb = -1; },
       "memory_budget_mb",
       "got -1"},
      {"ot epsilon zero",
       {"--matcher", "scot", "--ot-eps", "0"},
       [](MatchSettings& s) {
         s.match.method = "scot";
         s.match.ot.epsilon = 0;
       },
       "ot_epsilon",
       "expected a number from 0.001 to 10, got 0"},
      {"ot epsilon nan",
       {"--matcher", "scot", "--ot-eps", "nan"},
       [](MatchSettings& s) { s.match.ot.epsilon = NAN; },
       "ot_epsilon",
       "got nan"},
      {"ot exponent negative",
       {"--matcher", "scot", "--ot-exponent", "-1"},
       [](MatchSettings& s) { s.match.ot.exponent = -1; },
       "ot_exponent",
       "expected a number in (0, 8], got -1"},
      {"unknown matcher",
       {"--matcher", "sift"},
       [](MatchSettings& s) { s.match.method = "sift"; },
       "method",
       "unknown matching method 'sift'"},
  };
  return cases;
}

// The CLI's reading of `flags` (on top of a valid model choice); returns the usage error, empty if accepted.
std::string cli_error(const QStringList& flags) {
  QCommandLineParser parser;
  cli::add_match_options(parser);
  QStringList args = {"hpf-match", "--backbone", "mobilenet_v2"};
  args << flags;
  if (!parser.parse(args)) return "parse: " + parser.errorText().toStdString();
  try {
    cli::read_match_options(parser);
  } catch (const cli::UsageError& e) {
    return e.what();
  }
  return {};
}

// The GUI's check of settings changed by `set`; returns the message it shows, empty if accepted.
std::string gui_error(const std::function<void(MatchSettings&)>& set) {
  MatchSettings settings;
  set(settings);
  try {
    to_match_options(settings);
  } catch (const OptionError& e) {
    return describe_option_error(e).toStdString();
  }
  return {};
}

TEST(OptionValidation, CliAndGuiRefuseTheSameValuesWithTheSameMessage) {
  for (const Case& c : bad_options()) {
    const std::string cli = cli_error(c.flags), gui = gui_error(c.set);
    const std::string flag = cli::flag_for_option(c.option), label = option_label(c.option).toStdString();
    ASSERT_FALSE(cli.empty()) << c.name << ": the CLI accepted it";
    ASSERT_FALSE(gui.empty()) << c.name << ": the GUI accepted it";
    EXPECT_EQ(cli.rfind(flag + ": ", 0), 0u) << c.name << ": " << cli;
    EXPECT_EQ(gui.rfind(label + ": ", 0), 0u) << c.name << ": " << gui;
    EXPECT_EQ(cli.substr(flag.size()), gui.substr(label.size()))
        << c.name;  // the same problem, word for word
    EXPECT_NE(cli.find(c.problem), std::string::npos) << c.name << ": " << cli;
  }
}

TEST(OptionValidation, ValuesAtTheBoundsAreAccepted) {
  const std::vector<std::pair<QStringList, std::function<void(MatchSettings&)>>> good = {
      {{"--exponent", "32"}, [](MatchSettings& s) { s.match.rhm.exponent = 32; }},
      {{"--ncells", "1048576"}, [](MatchSettings& s) { s.match.rhm.ncells = 1048576; }},
      {{"--kernel", "101"}, [](MatchSettings& s) { s.match.rhm.kernel_size = 101; }},
      {{"--max-side", "32"}, [](MatchSettings& s) { s.match.max_side = 32; }},
      {{"--max-side", "4096"}, [](MatchSettings& s) { s.match.max_side = 4096; }},
      {{"--matcher", "scot", "--ot-eps", "0.001", "--ot-exponent", "8", "--no-cam"},
       [](MatchSettings& s) {
         s.match.method = "scot";
         s.match.ot = {0.001, 8, false};
       }},
      {{"--layers", "2,4-7"},
       [](MatchSettings& s) {
         s.match.layers = {2, 4, 5, 6, 7};
       }},
  };
  for (const auto& [flags, set] : good) {
    EXPECT_EQ(cli_error(flags), "") << flags.join(' ').toStdString();
    EXPECT_EQ(gui_error(set), "") << flags.join(' ').toStdString();
  }
  EXPECT_EQ(cli_error({"--max-side", "0"}), "");  // the CLI may keep the original size; the dock offers 32+
  // An unknown backbone is named as such (it was once reported as a --layers error).
  EXPECT_EQ(cli_error({"--backbone", "vgg16"}).rfind("--backbone: unknown backbone 'vgg16' (known: ", 0), 0u);
}

TEST(OptionValidation, LayerTextIsReadOnceForBoth) {
  // "1-3" is a range on the command line, as in the search's --seeds (it once meant layers 1 and 3).
  QCommandLineParser parser;
  cli::add_match_options(parser);
  ASSERT_TRUE(parser.parse({"hpf-match", "--backbone", "mobilenet_v2", "--layers", "1-3"}));
  EXPECT_EQ(cli::read_match_options(parser).layers, (LayerSet{1, 2, 3}));
  EXPECT_EQ(cli_error({"--layers", "2;4"}),
            "--layers: '2;4' is not a layer id or a range a-b (ids have at most 4 digits)");
  // An empty layer set in the GUI means the backbone's default set.
  MatchSettings settings;
  EXPECT_EQ(to_match_options(settings).layers, (LayerSet{4, 7, 10, 13, 16}));  // MobileNetV2
}

// The backbone decides the defaults the command line fills in: DINOv2 matches at 518 px with its last block.
TEST(OptionValidation, BackboneDefaultsForDinoV2) {
  const auto read = [](const QStringList& flags) {
    QCommandLineParser parser;
    cli::add_match_options(parser);
    EXPECT_TRUE(parser.parse(QStringList{"hpf-match"} + flags));
    return cli::read_match_options(parser);
  };
  const MatchOptions vit = read({"--backbone", "dinov2_vitb14"});
  EXPECT_EQ(vit.layers, (LayerSet{11}));
  EXPECT_EQ(vit.max_side, 518);
  EXPECT_EQ(read({"--backbone", "dinov2_vitg14_reg", "--max-side", "300"}).max_side, 300);
  EXPECT_EQ(read({"--backbone", "dinov2_vitg14_reg"}).layers, (LayerSet{39}));
  EXPECT_EQ(read({"--backbone", "mobilenet_v2"}).max_side, 300);
  EXPECT_EQ(read({"--backbone", "dinov2", "--layers", "0-2"}).layers, (LayerSet{0, 1, 2}));
  try {
    read({"--backbone", "dinov2"});
    ADD_FAILURE() << "dinov2 without --layers was accepted";
  } catch (const cli::UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--backbone: dinov2 takes its depth from the checkpoint", 0), 0u)
        << e.what();
  }
}

}  // namespace
}  // namespace hpf

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);  // QCommandLineParser and translations need one
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
