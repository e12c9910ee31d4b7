// hyperpixel-studio [SOURCE TARGET] [--backbone B] [--weights FILE] [--layers IDS] [--device D]

#include "core/compute/runtime.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QThread>

#include <algorithm>
#include <cstdio>

namespace {

void describe_options(QCommandLineParser& parser) {
  parser.setApplicationDescription(
      QStringLiteral("Inspect semantic correspondences found by Hyperpixel Flow."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("source", "Source image (optional).");
  parser.addPositionalArgument("target", "Target image (optional).");
  parser.addOptions({
      {"backbone", "Backbone: resnet50, resnet101, fcn_resnet101 or mobilenet_v2.", "name"},
      {"weights", "torchvision checkpoint of the backbone's weights.", "file"},
      {"layers", "Hyperpixel layer ids and ranges, e.g. 4,7,10,13,16 or 4,7-10.", "ids"},
      {"device", "auto, cpu or cuda.", "device"},
  });
}

bool has_display() {
  return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
         !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication::setOrganizationName(QStringLiteral("HyperpixelStudio"));
  QCoreApplication::setApplicationName(QStringLiteral("hyperpixel-studio"));
  QCoreApplication::setApplicationVersion(QStringLiteral(HPF_VERSION));
  // Options are read before the window system is touched, so that --help, --version and a bad option work
  // without a display.
  QStringList args;
  for (int i = 0; i < argc; ++i) args << QString::fromLocal8Bit(argv[i]);
  QCommandLineParser parser;
  describe_options(parser);
  if (!parser.parse(args)) {
    std::fprintf(stderr, "hyperpixel-studio: %s\n", qPrintable(parser.errorText()));
    return 2;
  }
  if (parser.isSet("help")) {
    // Without an application object Qt cannot know the program's name.
    std::printf("%s", qPrintable(parser.helpText().replace("<executable_name>", "hyperpixel-studio")));
    return 0;
  }
  if (parser.isSet("version")) {
    std::printf("hyperpixel-studio %s\n", HPF_VERSION);
    return 0;
  }
  if (!has_display()) {
    std::fprintf(
        stderr,
        "hyperpixel-studio: no display (DISPLAY and WAYLAND_DISPLAY are unset), so no window can open.\n"
        "Use the command-line tool instead: hpf --help (hpf match, hpf eval, hpf search, ...).\n");
    return 2;
  }
  QApplication app(argc, argv);

  const QStringList positional = parser.positionalArguments();
  if (positional.size() != 0 && positional.size() != 2) {
    std::fprintf(stderr, "hyperpixel-studio: give both a SOURCE and a TARGET image, or neither\n");
    return 2;
  }

  // Leave one core to the GUI thread so the window stays responsive while a pair computes.
  hpf::set_compute_threads(std::max(1, QThread::idealThreadCount() - 1));
  hpf::tune_memory_allocator();

  hpf::MainWindow window;
  hpf::MatchSettings settings = window.session().settings();
  if (parser.isSet("backbone")) settings.backbone = parser.value("backbone");
  if (parser.isSet("weights")) settings.weights_path = parser.value("weights");
  if (parser.isSet("layers")) {
    try {
      settings.match.layers = hpf::parse_layer_set(parser.value("layers").toStdString());
    } catch (const hpf::OptionError& e) {
      std::fprintf(stderr, "hyperpixel-studio: --layers: %s\n", e.problem().c_str());
      return 2;
    }
  }
  if (parser.isSet("device")) settings.device = parser.value("device");
  window.apply_settings(settings);
  window.show();
  if (positional.size() == 2) window.open_images(positional[0], positional[1]);
  return app.exec();
}
