package ca.quebec.donnees.solr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts Apache Solr for ckanext-quebec and runs until killed (SIGTERM stops Solr cleanly).
 *
 * <pre>
 *   node  PORT HOME CONFIGSET         one node; HOME keeps solr.xml, the cores and their data
 *                                     (cores made by CoreAdmin CREATE configSet=quebec survive restarts)
 *   cloud PORT HOME CONFIGSET NAME    two nodes (PORT, PORT+1), embedded ZooKeeper, and collection
 *                                     NAME of 2 shards x 2 replicas from the configset
 * </pre>
 *
 * Prints one line "READY url url..." once Solr answers. With SOLR_LAUNCHER_WATCH_STDIN set, stops
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
    if (args.length < 4 || !(args[0].equals("node") || args[0].equals("cloud") && args.length == 5)) {
      System.err.println("usage: node PORT HOME CONFIGSET | cloud PORT HOME CONFIGSET COLLECTION");
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    Path home = Path.of(args[2]).toAbsolutePath();
    Path configset = Path.of(args[3]).toAbsolutePath();
    Files.createDirectories(home);
    List<String> urls = new ArrayList<>();
    Runnable stop;
    try {
      stop = args[0].equals("node") ? node(port, home, configset, urls)
          : cloud(port, home, configset, args[4], urls);
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
    urls.add(runner.getBaseUrl().toString());
    return () -> quietly(runner::stop);
  }

  /** Two nodes and ZooKeeper under HOME (fresh each start), one collection of 2 shards x 2 replicas. */
  private static Runnable cloud(int port, Path home, Path configset, String collection, List<String> urls)
      throws Exception {
    MiniSolrCloudCluster cluster = new MiniSolrCloudCluster(
        0, home, MiniSolrCloudCluster.DEFAULT_CLOUD_SOLR_XML, jetty(0));
    for (int i = 0; i < 2; i++) {
      JettySolrRunner runner = cluster.startJettySolrRunner("node" + (i + 1), "/solr", jetty(port + i));
      urls.add(runner.getBaseUrl().toString());
    }
    cluster.waitForAllNodes(60);
    cluster.uploadConfigSet(configset, "quebec");
    CollectionAdminRequest.createCollection(collection, "quebec", 2, 2)
        .process(cluster.getSolrClient());
    cluster.waitForActiveCollection(collection, 2, 4);
    return () -> quietly(cluster::shutdown);
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
