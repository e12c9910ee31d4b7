// Screenshots of the part-2 tabs (dataset browser, evaluation, layer search) on the real PF-WILLOW dev set
// and on a synthetic SPair-71k fixture, for checking the look by eye (run under Xvfb):
//   hpf_gui_screenshots2 WEIGHTS PF_WILLOW_ROOT OUT_DIR WORK_DIR [PREVIOUS_RUN_DIR]
// WORK_DIR receives the evaluation and search outputs (re-used when they are already complete).

#include "core/compute/runtime.h"
#include "spair_fixture.h"
#include "ui/dataset_browser.h"
#include "ui/eval_panel.h"
#include "ui/main_window.h"
#include "ui/pair_table_model.h"
#include "ui/search_panel.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>

#include <cstdio>

namespace {

void settle(int ms) {
  QEventLoop loop;
  QTimer::singleShot(ms, &loop, &QEventLoop::quit);
  loop.exec();
}

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
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s WEIGHTS PF_WILLOW_ROOT OUT_DIR WORK_DIR [PREVIOUS_RUN_DIR]\n", argv[0]);
    return 2;
  }
  const QString weights = argv[1], root = argv[2], out = argv[3], work = argv[4];
  const QString previous = argc > 5 ? argv[5] : QString();
  QDir().mkpath(out);
  QDir().mkpath(work);
  hpf::set_compute_threads(std::max(1, QThread::idealThreadCount() - 1));
  const QString spair = work + "/SPair-71k";
  if (!QFileInfo::exists(spair + "/Layout")) hpf::test::write_spair(spair, 48);

  for (QSize size : {QSize(1920, 1080), QSize(1280, 720)}) {
    const QString tag = QStringLiteral("%1x%2").arg(size.width()).arg(size.height());
    const auto shot = [&](QWidget& w, const QString& name) {
      settle(300);
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
    hpf::DatasetBrowser& browser = window.dataset_browser();
    hpf::EvalPanel& eval = window.eval_panel();
    hpf::SearchPanel& search = window.search_panel();

    // Browser on the synthetic SPair-71k: difficulty filters and statistics.
    window.show_tab(&browser);
    browser.open_dataset("spair", spair);
    if (!wait_for(&browser, SIGNAL(loaded()), 60000)) return 1;
    settle(1500);  // thumbnails
    shot(window, "10_browser_spair");
    hpf::PairFilter hard;
    hard.flag(hpf::DifficultyFlag::Viewpoint) = 2;
    browser.set_filter(hard);
    wait_for(&browser, SIGNAL(filter_applied()), 10000);
    settle(1000);
    shot(window, "11_browser_spair_viewpoint_hard");

    // Browser on PF-WILLOW (real data).
    browser.open_dataset("pf-willow", root);
    if (!wait_for(&browser, SIGNAL(loaded()), 60000)) return 1;
    settle(2500);
    browser.table()->selectRow(2);
    shot(window, "12_browser_willow");

    // Evaluation: a live run of the dev set (1920 only; re-used at 1280), then a previous run and a
    // comparison.
    const QString run_dir = work + "/eval-willow";
    window.show_tab(&eval);
    eval.set_alphas("0.05, 0.1, 0.15");
    if (!QFileInfo::exists(run_dir + "/summary.json")) {
      QDir(run_dir).removeRecursively();
      if (!eval.run(run_dir)) {
        std::fprintf(stderr, "eval did not start: %s\n", qPrintable(eval.last_error()));
        return 1;
      }
      settle(6000);
      shot(window, "20_eval_running");
      if (eval.busy() && !wait_for(&eval, SIGNAL(run_finished()), 600000)) {
        std::fprintf(stderr, "eval did not finish: %s\n", qPrintable(eval.status_text()));
        return 1;
      }
    } else {
      eval.load_run(run_dir);
      wait_for(&eval, SIGNAL(results_changed()), 60000);
    }
    eval.set_chart_view("per_category");
    shot(window, "21_eval_done_per_category");
    if (!previous.isEmpty()) {
      eval.load_run(previous);
      wait_for(&eval, SIGNAL(results_changed()), 60000);
      eval.set_chart_view("per_category");
      shot(window, "22_eval_loaded_run");
      eval.load_comparison(run_dir);
      wait_for(&eval, SIGNAL(results_changed()), 60000);
      eval.set_chart_view("overall");
      shot(window, "23_eval_compare");
      eval.clear_comparison();
    }
    window.show_tab(&browser);
    browser.table()->sortByColumn(hpf::PairTableModel::Pck, Qt::AscendingOrder);
    wait_for(&browser, SIGNAL(rows_changed()), 10000);
    settle(1500);
    shot(window, "13_browser_willow_with_pck");
    if (size.width() == 1920) {
      eval.export_bundle_to(out + "/bundle.zip");
      eval.export_chart_to(out + "/chart.png");
    }

    // Layer search: a small search on 6 pairs (1920 only; loaded at 1280).
    const QString search_dir = work + "/search-6";
    window.show_tab(&search);
    if (!QFileInfo::exists(search_dir + "/search_summary.json")) {
      browser.set_filter({});
      wait_for(&browser, SIGNAL(filter_applied()), 10000);
      search.set_beam(3, 4);
      search.set_limit(6);
      QDir(search_dir).removeRecursively();
      search.run(search_dir);
      settle(8000);
      shot(window, "30_search_running");
      if (search.busy() && !wait_for(&search, SIGNAL(run_finished()), 600000)) {
        std::fprintf(stderr, "search did not finish: %s\n", qPrintable(search.status_text()));
        return 1;
      }
    } else {
      search.load_folder(search_dir);
      wait_for(&search, SIGNAL(results_changed()), 60000);
    }
    shot(window, "31_search_done");
  }
  return 0;
}
