#include "ui/start_page.h"

#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace hpf {

namespace {

QPushButton* big_button(const QString& title, const QString& detail, QWidget* parent) {
  auto* button = new QPushButton(title + QStringLiteral("\n") + detail, parent);
  button->setMinimumHeight(64);
  button->setStyleSheet(
      QStringLiteral("QPushButton { text-align: left; padding: 10px 16px; font-size: 11pt; }"));
  return button;
}

}  // namespace

StartPage::StartPage(QWidget* parent) : QWidget(parent) {
  auto* outer = new QHBoxLayout(this);
  auto* column = new QVBoxLayout;
  outer->addStretch(1);
  outer->addLayout(column, 2);
  outer->addStretch(1);

  auto* title =
      new QLabel(tr("<h1>Hyperpixel Studio</h1><p>See what Hyperpixel Flow matches between two images: "
                    "transferred keypoints, dense flow, per-point confidence and the layers behind "
                    "it.</p>"),
                 this);
  title->setWordWrap(true);
  column->addStretch(1);
  column->addWidget(title);
  auto* open =
      big_button(tr("Open two images…  (Ctrl+O)"),
                 tr("A source and a target image; you can also drop two files on the window."), this);
  auto* dataset =
      big_button(tr("Open a dataset pair…  (Ctrl+D)"),
                 tr("A pair of SPair-71k, PF-PASCAL or PF-WILLOW, with its ground-truth keypoints."), this);
  auto* weights =
      big_button(tr("Get weights…"), tr("Download the backbone's ImageNet weights or choose a file."), this);
  column->addWidget(open);
  column->addWidget(dataset);
  column->addWidget(weights);
  weights_note_ = new QLabel(this);
  weights_note_->setWordWrap(true);
  column->addWidget(weights_note_);
  column->addWidget(new QLabel(tr("<b>Recent pairs</b>"), this));
  recent_ = new QListWidget(this);
  recent_->setMaximumHeight(180);
  column->addWidget(recent_);
  column->addStretch(2);

  connect(open, &QPushButton::clicked, this, &StartPage::open_images_requested);
  connect(dataset, &QPushButton::clicked, this, &StartPage::open_dataset_requested);
  connect(weights, &QPushButton::clicked, this, &StartPage::weights_requested);
  connect(recent_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
    const QStringList paths = item->data(Qt::UserRole).toString().split('\n');
    if (paths.size() == 2) Q_EMIT recent_requested(paths[0], paths[1]);
  });
}

void StartPage::set_recent(const QStringList& recent) {
  recent_->clear();
  for (const QString& entry : recent) {
    const QStringList paths = entry.split('\n');
    if (paths.size() != 2) continue;
    auto* item = new QListWidgetItem(
        QFileInfo(paths[0]).fileName() + QStringLiteral("  →  ") + QFileInfo(paths[1]).fileName(), recent_);
    item->setToolTip(paths.join(QStringLiteral("\n")));
    item->setData(Qt::UserRole, entry);
  }
  if (recent.isEmpty()) recent_->addItem(tr("(none yet)"));
}

void StartPage::set_weights_note(const QString& note, bool ok) {
  weights_note_->setText(note);
  weights_note_->setStyleSheet(ok ? QString() : QStringLiteral("color: #d35400;"));
}

}  // namespace hpf
