// Screenshots of every view on a real PF-WILLOW pair, for checking the look by eye (run under Xvfb):
//   hpf_gui_screenshots WEIGHTS PF_WILLOW_ROOT OUT_DIR [PAIR_INDEX]

#include "core/compute/runtime.h"
#include "ui/layers_panel.h"
#include "ui/main_window.h"
#include "ui/pair_view.h"

#include <QApplication>
#include <QDir>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>

namespace {

void settle(int ms) {
  QEventLoop loop;
  QTimer::singleShot(ms, &loop, &QEventLoop::quit);
  loop.exec();
}

// Runs the event loop until `signal` of `sender` fires or `ms` pass; true when it fired.
bool wait_for(QObject* sender, const char* signal, int ms) {
  QEventLoop loop;
  QTimer timeout;
  timeout.setSingleShot(true);
  QObject::connect(sender, signal, &loop, SLOT(quit()));
  QObject::connect(&timeout, SIGNAL(timeout()), &loop, SLOT(quit()));
  timeout.start(ms);
  loop.exec();
  return timeout.isActive();
}

}  // namespace

int main(int argc, char** argv) {
  QStandardPaths::setTestModeEnabled(true);
  QApplication app(argc, argv);
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s WEIGHTS PF_WILLOW_ROOT OUT_DIR [PAIR_INDEX [DINOV2_VITS14_WEIGHTS]]\n",
                 argv[0]);
    return 2;
  }
  const QString weights = argv[1], root = argv[2], out = argv[3];
  const size_t index = argc > 4 ? static_cast<size_t>(std::atoi(argv[4])) : 0;
  const QString dinov2_weights = argc > 5 ? argv[5] : QString();
  QDir().mkpath(out);
  hpf::set_compute_threads(std::max(1, QThread::idealThreadCount() - 1));

  std::shared_ptr<const hpf::Dataset> dataset = hpf::open_dataset("pf-willow", root.toStdString());
  const auto pairs = dataset->pairs("test");
  for (QSize size : {QSize(1920, 1080), QSize(1280, 720)}) {
    const QString tag = QStringLiteral("%1x%2").arg(size.width()).arg(size.height());
    const auto shot = [&](QWidget& w, const QString& name) {
      settle(150);
      w.grab().save(out + "/" + tag + "_" + name + ".png");
    };
    hpf::MainWindow window(false);
    hpf::MatchSettings s;
    s.backbone = "mobilenet_v2";
    s.weights_path = weights;
    s.match.layers = {4, 7, 10, 13, 16};
    window.apply_settings(s);
    window.resize(size);
    window.show();
    shot(window, "0_start");
    window.open_dataset_pair(dataset, pairs.at(index));
    if (!wait_for(&window.session(), SIGNAL(result_ready()), 120000)) {
      std::fprintf(stderr, "no result: %s\n", qPrintable(window.last_error()));
      return 1;
    }
    shot(window, "1_pair");
    hpf::PairView& view = window.pair_view();
    const auto figure = window.session().figure();
    const QPointF probe(figure->source_points.at(3));
    view.show_query(window.session().query(probe));
    shot(window, "2_query");
    view.show_query(std::nullopt);
    view.set_overlay_visible(hpf::Overlay::Keypoints, false);
    view.set_overlay_visible(hpf::Overlay::Transferred, false);
    view.set_overlay_visible(hpf::Overlay::MatchLines, false);
    view.set_overlay_visible(hpf::Overlay::WarpedSource, true);
    view.set_overlay_visible(hpf::Overlay::FlowColours, true);
    shot(window, "3_flow");
    view.set_overlay_visible(hpf::Overlay::WarpedSource, false);
    view.set_overlay_visible(hpf::Overlay::FlowColours, false);
    view.set_overlay_visible(hpf::Overlay::HyperpixelLines, true);
    shot(window, "4_hyperpixel_lines");
    view.set_overlay_visible(hpf::Overlay::HyperpixelLines, false);
    view.set_overlay_visible(hpf::Overlay::Keypoints, true);
    view.set_overlay_visible(hpf::Overlay::Transferred, true);
    view.set_pair_layout(hpf::PairLayout::Stacked);
    shot(window, "5_stacked");
    view.set_pair_layout(hpf::PairLayout::SideBySide);
    window.show_layers_tab();
    if (!wait_for(&window.session(), SIGNAL(layer_maps_ready()), 120000)) {
      std::fprintf(stderr, "no layer maps: %s\n", qPrintable(window.last_error()));
      return 1;
    }
    const auto q = window.session().query(probe);
    if (q) window.layers_panel().set_similarity(q->layer_similarity);
    shot(window, "6_layers");
    window.export_figure_to(out + "/" + tag + "_export.png");

    // SCOT on the same pair: the CAM overlay, where HPF agrees, and the query rows (cosine vs plan).
    s.match.method = "scot";
    window.apply_settings(s);
    window.show_tab(view.parentWidget());
    window.open_dataset_pair(dataset, pairs.at(index));
    if (!wait_for(&window.session(), SIGNAL(result_ready()), 120000)) {
      std::fprintf(stderr, "no SCOT result: %s\n", qPrintable(window.last_error()));
      return 1;
    }
    view.set_overlay_visible(hpf::Overlay::Comparison, true);
    shot(window, "7_scot_vs_hpf");
    view.set_overlay_visible(hpf::Overlay::Comparison, false);
    view.set_overlay_visible(hpf::Overlay::Activation, true);
    view.set_overlay_visible(hpf::Overlay::MatchLines, false);
    shot(window, "8_scot_cam");
    view.set_overlay_visible(hpf::Overlay::Activation, false);
    view.set_overlay_visible(hpf::Overlay::MatchLines, true);
    window.query_source_point(window.session().figure()->source_points.at(3));
    shot(window, "9_scot_query");
    s.match.method = "hpf";
    window.apply_settings(s);

    // DINOv2 ViT-S/14: blocks 9 and 11 as hyperpixel layers at 518 px, and the twelve blocks' maps.
    if (dinov2_weights.isEmpty()) continue;
    hpf::MatchSettings d = s;
    d.backbone = "dinov2_vits14";
    d.weights_path = dinov2_weights;
    d.match.layers = {9, 11};
    d.match.max_side = 518;
    window.apply_settings(d);
    window.show_tab(view.parentWidget());
    window.open_dataset_pair(dataset, pairs.at(index));
    if (!wait_for(&window.session(), SIGNAL(result_ready()), 300000)) {
      std::fprintf(stderr, "no DINOv2 result: %s\n", qPrintable(window.last_error()));
      return 1;
    }
    shot(window, "10_dinov2_pair");
    window.query_source_point(window.session().figure()->source_points.at(3));
    shot(window, "11_dinov2_query");
    window.show_layers_tab();
    if (!wait_for(&window.session(), SIGNAL(layer_maps_ready()), 300000)) {
      std::fprintf(stderr, "no DINOv2 layer maps: %s\n", qPrintable(window.last_error()));
      return 1;
    }
    shot(window, "12_dinov2_layers");
    window.apply_settings(s);
  }
  return 0;
}
