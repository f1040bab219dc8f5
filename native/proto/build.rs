//! Compiles `proto/zkmr.proto` with `protox`, a pure-Rust protobuf compiler, so building the
//! workspace needs no `protoc` on the machine.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/zkmr.proto");
    let descriptors = protox::compile(["zkmr.proto"], ["proto"])?;
    prost_build::Config::new()
        // A batch record is a small header, a whole chunk's bundle or a small trailer.
        .boxed(".zkmr.v1.BatchRecord.record.chunk")
        .compile_fds(descriptors)?;
    Ok(())
}
