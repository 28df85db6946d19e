package ca.quebec.donnees.solr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.cloud.ZkTestServer;
import org.apache.solr.core.SolrCore;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;
import org.apache.solr.update.UpdateLog;

/**
 * Starts Apache Solr for ckanext-quebec and runs until killed (SIGTERM stops Solr cleanly).
 *
 * <pre>
 *   node PORT HOME CONFIGSET          one node; HOME keeps solr.xml, the cores and their data
 *                                     (cores made by CoreAdmin CREATE configSet=quebec survive restarts)
 *   seed PORT HOME CONFIGSET [ZKPORT] SolrCloud's first node and its embedded ZooKeeper (on ZKPORT,
 *                                     default PORT+1000 as bin/solr -c does), the configset uploaded
 *                                     as "quebec"; prints "ZOOKEEPER zkHost" once nodes may
 *                                     join, then "READY url zkHost"
 *   join PORT HOME CONFIGSET ZKHOST   one more SolrCloud node in a JVM of its own, joined to ZKHOST:
 *                                     it can be killed (kill -9) and started again on the same PORT
 *                                     and HOME, where its cores wait for it
 * </pre>
 *
 * solr.sh's {@code cloud} mode runs seed and join and creates the collection. SolrCloud's nodes
 * leave ZooKeeper's live nodes once their session expires: solr.zkclienttimeout (milliseconds,
 * 30000 unless set) says how long after a node dies.
 *
 * Prints one line "READY url..." once Solr answers (a node: once its cores have replayed their
 * update logs). With SOLR_LAUNCHER_WATCH_STDIN set, stops
 * when its standard input closes (the process that started it is gone).
 */
public final class Launcher {
  private static final String SOLR_XML =
      "<solr><str name=\"configSetBaseDir\">${configSetBaseDir:configsets}</str>"
          + "<solrcloud><str name=\"host\">127.0.0.1</str>"
          + "<int name=\"hostPort\">${hostPort:0}</int>"
          + "<str name=\"hostContext\">solr</str></solrcloud></solr>";

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    boolean usage = args.length >= 4 && switch (args[0]) {
      case "node" -> args.length == 4;
      case "seed" -> args.length <= 5;
      case "join" -> args.length == 5;
      default -> false;
    };
    if (!usage) {
      System.err.println("usage: node PORT HOME CONFIGSET | seed PORT HOME CONFIGSET [ZKPORT]"
          + " | join PORT HOME CONFIGSET ZKHOST");
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    Path home = Path.of(args[2]).toAbsolutePath();
    Path configset = Path.of(args[3]).toAbsolutePath();
    Files.createDirectories(home);
    List<String> urls = new ArrayList<>();
    Runnable stop;
    try {
      stop = switch (args[0]) {
        case "node" -> node(port, home, configset, urls);
        case "seed" -> seed(port, home, configset,
            args.length == 5 ? Integer.parseInt(args[4]) : port + 1000, urls);
        default -> join(port, home, args[4], urls);
      };
    } catch (Exception e) {
      // Solr's threads would keep the JVM alive: the caller would wait for READY forever.
      e.printStackTrace();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.run();
      stopped.countDown();
    }));
    System.out.println("READY " + String.join(" ", urls));
    System.out.flush();
    if (System.getenv("SOLR_LAUNCHER_WATCH_STDIN") != null) {
      // A test session's node: it stops when its parent goes, even killed (stdin closes).
      Thread watch = new Thread(() -> {
        try {
          while (System.in.read() != -1) {
            continue;
          }
        } catch (java.io.IOException e) {
          // the pipe broke: the parent is gone all the same
        }
        System.exit(0);
      });
      watch.setDaemon(true);
      watch.start();
    }
    stopped.await();
  }

  private static JettyConfig jetty(int port) {
    return JettyConfig.builder().setPort(port).setContext("/solr").stopAtShutdown(true).build();
  }

  /** One node: the configset is copied into HOME/configsets/quebec on every start (cores read it on load). */
  private static Runnable node(int port, Path home, Path configset, List<String> urls) throws Exception {
    Files.writeString(home.resolve("solr.xml"), SOLR_XML);
    Path target = home.resolve("configsets/quebec/conf");
    Files.createDirectories(target);
    try (var files = Files.list(configset)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(file)) {
          Files.copy(file, target.resolve(file.getFileName()),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    JettySolrRunner runner = new JettySolrRunner(home.toString(), new Properties(), jetty(port));
    runner.start();
    replayed(runner);
    urls.add(runner.getBaseUrl().toString());
    return () -> quietly(runner::stop);
  }

  /**
   * Waits until every core has replayed its update log: the writes Solr answered before a crash
   * (soft-committed, not yet in the index's files) are searchable again once READY is printed.
   */
  private static void replayed(JettySolrRunner runner) throws InterruptedException {
    runner.getCoreContainer().waitForLoadingCoresToFinish(120_000);
    for (SolrCore core : runner.getCoreContainer().getCores()) {
      UpdateLog log = core.getUpdateHandler().getUpdateLog();
      while (log != null && log.getState() != UpdateLog.State.ACTIVE) {
        Thread.sleep(50);
      }
    }
  }

  /**
   * ZooKeeper (its data under HOME/zookeeper) and the first node (HOME/node1), configset uploaded.
   * The node is MiniSolrCloudCluster's, with its solr.xml, which ZooKeeper hands to joining nodes.
   */
  private static Runnable seed(int port, Path home, Path configset, int zkPort, List<String> urls)
      throws Exception {
    ZkTestServer zookeeper = new ZkTestServer(home.resolve("zookeeper"), zkPort);
    zookeeper.run(false);
    MiniSolrCloudCluster cluster = new MiniSolrCloudCluster(
        0, home, MiniSolrCloudCluster.DEFAULT_CLOUD_SOLR_XML, jetty(0), zookeeper, false);
    cluster.uploadConfigSet(configset, "quebec");
    // Other nodes may join from now on, while this one starts.
    System.out.println("ZOOKEEPER " + zookeeper.getZkAddress());
    System.out.flush();
    JettySolrRunner runner = cluster.startJettySolrRunner("node1", "/solr", jetty(port));
    cluster.waitForAllNodes(60);
    urls.add(runner.getBaseUrl().toString());
    urls.add(zookeeper.getZkAddress());
    return () -> {
      quietly(cluster::shutdown);
      quietly(zookeeper::shutdown);
    };
  }

  /** A node of its own joined to ZKHOST, which gives it solr.xml; its cores live in HOME. */
  private static Runnable join(int port, Path home, String zkHost, List<String> urls) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("zkHost", zkHost);
    JettySolrRunner runner = new JettySolrRunner(home.toString(), properties, jetty(port));
    runner.start();
    urls.add(runner.getBaseUrl().toString());
    return () -> quietly(runner::stop);
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void quietly(Step step) {
    try {
      step.run();
    } catch (Exception e) {
      e.printStackTrace();
    }
  }
}
