//! The `wangge` binary: parses the command line and hands over to the command modules.
use clap::{Parser, Subcommand};
use wangge_cli::audit_cmd::{self, AuditCommand};
use wangge_cli::bench_cmd::{self, BenchCommand};
use wangge_cli::demo::{self, DemoArgs};
use wangge_cli::generator::{self, GenArgs};
use wangge_cli::import_cmd::{self, ImportArgs};
use wangge_cli::open::DataArgs;
use wangge_cli::serve::{self, ServeArgs};
use wangge_cli::user::{self, UserCommand};

#[derive(Parser)]
#[command(
    name = "wangge",
    version,
    about = "网格化服务管理平台 Wangge — grid-based community governance"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a demo district on the embedded SQLite (generated on first run) and serve it.
    Demo(DemoArgs),
    /// Serve the web UI and JSON API.
    Serve(ServeArgs),
    /// Generate a synthetic district into an empty database.
    Gen {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        district: GenArgs,
    },
    /// Import persons, buildings or organizations from .xlsx/.csv: a dry run, `--apply` to write.
    Import {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        import: ImportArgs,
    },
    /// Manage accounts.
    User {
        #[command(flatten)]
        data: DataArgs,
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Measure the speed of a feature on the data in --data (see BENCHMARKS.md).
    Bench {
        #[command(flatten)]
        data: DataArgs,
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Verify or purge the audit log.
    Audit {
        #[command(flatten)]
        data: DataArgs,
        #[command(subcommand)]
        command: AuditCommand,
    },
}

/// glibc's allocator spent a quarter of an import's time fragmenting and consolidating
/// (perf); mimalloc keeps per-thread pools.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    // Warnings and errors (a failed query, a broken template) go to stderr for the operator.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => fail(format!("无法启动运行时：{e}")),
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => std::process::exit(code),
        Err(message) => fail(message),
    }
}

fn fail(message: String) -> ! {
    eprintln!("错误：{message}");
    std::process::exit(2)
}

async fn run(command: Command) -> Result<i32, String> {
    let open = |data: DataArgs| async move { data.open().await.map_err(|e| e.to_string()) };
    match command {
        Command::Demo(args) => {
            let store = open(args.data.clone()).await?;
            let accounts = demo::prepare(&store, &args).await?;
            demo::print_accounts(&accounts);
            serve::serve(store, args.listen, false).await?;
        }
        Command::Serve(args) => {
            let store = open(args.data.clone()).await?;
            serve::serve(store, args.listen, args.secure_cookies).await?;
        }
        Command::Gen {
            data,
            district: args,
        } => {
            let store = open(data).await?;
            let s = generator::generate(&store, &args)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "已生成 {}：{} 个街道、{} 个社区、{} 个网格、{} 人、{} 件事件，用时 {:.1} 秒",
                s.district.county.name,
                s.district.streets.len(),
                s.district.communities.len(),
                s.district.grids.len(),
                s.persons,
                s.events,
                s.seconds
            );
        }
        Command::Import { data, import } => {
            return import_cmd::run(&open(data).await?, import).await;
        }
        Command::User { data, command } => user::run(&open(data).await?, command).await?,
        Command::Bench { data, command } => {
            return bench_cmd::run(&open(data).await?, command).await;
        }
        Command::Audit { data, command } => {
            return audit_cmd::run(&open(data).await?, command).await;
        }
    }
    Ok(0)
}
