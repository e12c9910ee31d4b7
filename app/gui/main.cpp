// hyperpixel-studio [SOURCE TARGET] [--backbone B] [--weights FILE] [--layers IDS] [--device D]

#include "core/compute/runtime.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QThread>

#include <algorithm>
#include <cstdio>

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("HyperpixelStudio"));
  QApplication::setApplicationName(QStringLiteral("hyperpixel-studio"));
  QApplication::setApplicationVersion(QStringLiteral(HPF_VERSION));

  QCommandLineParser parser;
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
  parser.process(app);
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
