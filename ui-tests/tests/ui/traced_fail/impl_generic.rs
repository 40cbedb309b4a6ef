// A generic parameter of the enclosing impl cannot be seen by the attribute:
// rustc reports it where the event declares the argument; skip the argument.
use trace_runtime::traced;

struct Queue<T>(Vec<T>);

impl<T> Queue<T> {
    #[traced]
    fn push(&mut self, item: T, len: u32) {
        self.0.push(item);
        let _ = len;
    }
}

fn main() {
    Queue(Vec::new()).push(1u8, 1);
}
