//! The standalone development page (`trunk serve`): the panel alone on the page.

fn main() {
    flowyte_copilot::mount_to_body();
}
