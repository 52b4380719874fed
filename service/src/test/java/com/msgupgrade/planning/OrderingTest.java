package com.msgupgrade.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.msgupgrade.catalog.StepCatalog;
import com.msgupgrade.catalog.TestCatalog;
import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.Host;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The order of a multi-host rollout, asserted as the order itself. */
class OrderingTest {

    final StepCatalog catalog = new StepCatalog(TestCatalog.PROPERTIES);

    static Host host(String name, String... components) {
        return new Host(name, "10.0.0." + Math.abs(name.hashCode() % 250), 22, "root", "solaris", "sparc",
                "/opt/SUNWmsgsr", "6.2p3", List.of(components), List.of(), null, null, null, null, null);
    }

    static Deployment deployment(List<Host> hosts, List<Deployment.Group> groups, Map<String, List<String>> webmail) {
        return new Deployment("d", new Deployment.DirectoryServer("ds", 389, "cn=Directory Manager", "ds-manager"),
                hosts, groups, webmail, new Host.ProxyAdmin("admin", "webmail-proxy"));
    }

    private List<String> phases(Deployment d) {
        Set<String> all = d.hosts().stream().map(Host::name).collect(Collectors.toSet());
        List<String> out = new ArrayList<>();
        for (Plan.Phase p : Ordering.phases(d, all, catalog)) {
            out.add(p.id() + ":" + (p.kind().equals("units")
                    ? p.units().stream().map(u -> u.topology() + u.hosts() + (u.standby() == null ? "" : "+" + u.standby()))
                    .collect(Collectors.joining(","))
                    : p.steps().stream().map(s -> s.host() + "/" + s.stepId()).collect(Collectors.joining(","))));
        }
        return out;
    }

    @Test
    void upgradesTheBackEndFirstEnablesImapBeforeWebmailAndConfiguresWebmailAfter() {
        Deployment d = deployment(List.of(host("web1", "webmail"), host("mta1", "mta"), host("st1", "store"),
                host("st2", "store"), host("mmp1", "mmp")), List.of(), Map.of("web1", List.of("st1", "st2")));
        // web1's webmail is pointed at its stores right after its own upgrade, in its unit (no phase of its own)
        assertThat(phases(d)).containsExactly(
                "stores:standalone[st1],standalone[st2]",
                "enable-imap:st1/enable-imap,st2/enable-imap",
                "mta-mmp:standalone[mta1],standalone[mmp1]",
                "webmail:standalone[web1]",
                "disable-mshttpd:st1/disable-mshttpd,st2/disable-mshttpd");
        assertThat(Ordering.configuresWebmailProxyWithItsUpgrade(d, "web1")).isTrue();
        assertThat(Ordering.configuresWebmailProxyWithItsUpgrade(d, "st1")).isFalse();
        // a webmail front end of a cluster is pointed at its stores once its tier is done
        Deployment clustered = deployment(List.of(host("w1", "webmail"), host("wx", "webmail"), host("st1", "store")),
                List.of(new Deployment.Group("wc", "asymmetric-ha", List.of("w1"), "wx")),
                Map.of("w1", List.of("st1"), "wx", List.of("st1")));
        assertThat(phases(clustered)).contains("webmail-proxy:w1/configure-webmail-proxy");
        assertThat(Ordering.configuresWebmailProxyWithItsUpgrade(clustered, "w1")).isFalse();
    }

    /**
     * The guide: IMAP enabled on a store before the webmail that reads it is upgraded, and mshttpd shut down on the back
     * end once its front ends are at 6.3, a store at 6.3 already too.
     */
    @Test
    void enablesImapOnAStoreAt63AlreadyBeforeTheWebmailThatReadsIt() {
        Deployment d = deployment(List.of(host("web1", "webmail"), host("st1", "store"), host("st2", "store")),
                List.of(), Map.of("web1", List.of("st1", "st2")));
        List<String> out = new ArrayList<>();
        for (Plan.Phase p : Ordering.phases(d, Set.of("web1", "st2"), catalog)) {
            out.add(p.id() + ":" + p.units().stream().map(u -> u.topology() + u.hosts()).collect(Collectors.joining(","))
                    + p.steps().stream().map(st -> st.host() + "/" + st.stepId()).collect(Collectors.joining(",")));
        }
        assertThat(out).containsExactly("stores:standalone[st2]", "enable-imap:st2/enable-imap,st1/enable-imap",
                "webmail:standalone[web1]", "disable-mshttpd:st2/disable-mshttpd,st1/disable-mshttpd");
    }

    @Test
    void upgradesAStoreThatAlsoServesWebmailAfterTheRemoteStoresItReads() {
        Deployment d = deployment(List.of(host("both", "store", "webmail"), host("st1", "store")), List.of(),
                Map.of("both", List.of("st1", "both")));
        assertThat(phases(d)).containsExactly(
                "stores:standalone[st1]",
                "enable-imap:st1/enable-imap",
                "stores-with-webmail:standalone[both]",
                "enable-imap-2:both/enable-imap",
                "webmail-proxy-2:both/configure-webmail-proxy",
                "disable-mshttpd:st1/disable-mshttpd");
    }

    @Test
    void makesOneUnitOfEachLoadBalancedGroupClusterAndSymmetricPair() {
        Deployment d = deployment(List.of(host("mta1", "mta"), host("mta2", "mta"), host("n1", "store"),
                host("n2", "store"), host("nx", "store"), host("s1", "store"), host("s2", "store")),
                List.of(new Deployment.Group("lb", "load-balanced", List.of("mta1", "mta2"), null),
                        new Deployment.Group("np1", "n-plus-1", List.of("n1", "n2"), "nx"),
                        new Deployment.Group("sym", "symmetric-ha", List.of("s1", "s2"), null)),
                Map.of());
        assertThat(phases(d)).containsExactly(
                "stores:cluster[n1, n2]+nx,symmetric-ha[s1, s2]",
                // no webmail reads these stores: IMAP is left as their operators set it
                "mta-mmp:load-balanced[mta1, mta2]");
        Deployment read = deployment(List.of(host("web1", "webmail"), host("n1", "store"), host("n2", "store"),
                host("nx", "store"), host("s1", "store"), host("s2", "store")),
                List.of(new Deployment.Group("np1", "n-plus-1", List.of("n1", "n2"), "nx"),
                        new Deployment.Group("sym", "symmetric-ha", List.of("s1", "s2"), null)),
                Map.of("web1", List.of("n1", "n2", "s1", "s2")));
        assertThat(phases(read)).startsWith(
                "stores:cluster[n1, n2]+nx,symmetric-ha[s1, s2]",
                // not on the standby: once its nodes are done it runs nothing of theirs (the guide)
                "enable-imap:n1/enable-imap,n2/enable-imap,s1/enable-imap,s2/enable-imap");
    }

    @Test
    void disablesMshttpdOnlyOnTheBackEndsThatWebmailFrontEndsRead() {
        // st2's own mshttpd serves its users (no front end reads it; nor is its IMAP enabled); both serves webmail
        // itself
        Deployment d = deployment(List.of(host("web1", "webmail"), host("st1", "store"), host("st2", "store"),
                host("both", "store", "webmail")), List.of(), Map.of("web1", List.of("st1", "both")));
        assertThat(phases(d)).containsExactly(
                "stores:standalone[st1],standalone[st2]",
                "enable-imap:st1/enable-imap",
                "stores-with-webmail:standalone[both]",
                "enable-imap-2:both/enable-imap",
                "webmail:standalone[web1]",
                "disable-mshttpd:st1/disable-mshttpd");
    }

    @Test
    void upgradesStoresThatServeWebmailAfterTheOnesTheyReadAndRefusesAnOrderNoneCanHave() {
        // a reads b's store, b reads c's: c, then b, then a, IMAP enabled on each before the next
        Deployment chain = deployment(List.of(host("a", "store", "webmail"), host("b", "store", "webmail"),
                host("c", "store", "webmail")), List.of(), Map.of("a", List.of("a", "b"), "b", List.of("b", "c")));
        assertThat(phases(chain)).containsExactly(
                "stores-with-webmail:standalone[c]",
                "enable-imap-2:c/enable-imap",
                "stores-with-webmail-2:standalone[b]",
                "enable-imap-3:b/enable-imap",
                "webmail-proxy-3:b/configure-webmail-proxy",
                "stores-with-webmail-3:standalone[a]",
                "enable-imap-4:a/enable-imap",
                "webmail-proxy-4:a/configure-webmail-proxy");
        Deployment circle = deployment(List.of(host("a", "store", "webmail"), host("b", "store", "webmail")),
                List.of(), Map.of("a", List.of("b"), "b", List.of("a")));
        assertThatThrownBy(() -> phases(circle)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a, b").hasMessageContaining("reading each other's stores");
        // a group is upgraded as one unit, IMAP enabled after it: a member cannot read another member's store
        Deployment grouped = deployment(List.of(host("a", "store", "webmail"), host("b", "store", "webmail"),
                host("c", "store")), List.of(new Deployment.Group("lb", "load-balanced", List.of("a", "b"), null)),
                Map.of("a", List.of("a", "c"), "b", List.of("a")));
        assertThatThrownBy(() -> phases(grouped)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("b reads a (group lb)").hasMessageNotContaining("a reads")
                .hasMessageContaining("different groups");
        // a cluster's standby counts as one of its hosts: its webmail puts the cluster after the stores it reads
        List<Deployment.Group> cluster = List.of(new Deployment.Group("ha", "asymmetric-ha", List.of("n"), "x"));
        Deployment standbyReads = deployment(List.of(host("n", "store"), host("x", "store", "webmail"),
                host("s", "store")), cluster, Map.of("x", List.of("s")));
        assertThat(phases(standbyReads)).startsWith("stores:standalone[s]", "enable-imap:s/enable-imap",
                "stores-with-webmail:cluster[n]+x");
        Deployment standbyReadsItsNode = deployment(List.of(host("n", "store"), host("x", "store", "webmail")),
                cluster, Map.of("x", List.of("n")));
        assertThatThrownBy(() -> phases(standbyReadsItsNode)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("x reads n (group ha)");
    }

    @Test
    void neverDisablesMshttpdOnASingleHostDeploymentAndLeavesOutHostsNotToUpgrade() {
        Deployment single = deployment(List.of(host("all", "store", "mta", "webmail")), List.of(), Map.of());
        assertThat(phases(single)).containsExactly("stores-with-webmail:standalone[all]", "enable-imap-2:all/enable-imap");
        Deployment partly = deployment(List.of(host("st1", "store"), host("done", "store")), List.of(), Map.of());
        List<Plan.Phase> phases = Ordering.phases(partly, Set.of("st1"), catalog);
        assertThat(phases.get(0).units()).extracting(Plan.Unit::hosts).containsExactly(List.of("st1"));
    }

    @Test
    void listsTheDependenciesInTheGuidesOrderWithWhatIsRequiredPerRelease() {
        Plan.HostPlan p62 = new Plan.HostPlan("a", "solaris", "6.2p3", null, null, null, null, List.of(), List.of(),
                List.of(), List.of());
        Plan.HostPlan p61 = new Plan.HostPlan("b", "solaris", "6.1", null, null, null, null, List.of(), List.of(),
                List.of(), List.of());
        assertThat(Ordering.dependencies(List.of(p62))).extracting(d -> d.component() + (d.required() ? "!" : ""))
                .containsExactly("Shared Components!", "Directory Server", "Access Manager", "Message Queue",
                        "Directory Preparation Tool!");
        assertThat(Ordering.dependencies(List.of(p62, p61))).extracting(d -> d.component() + (d.required() ? "!" : ""))
                .containsExactly("Shared Components!", "Directory Server!", "Access Manager", "Message Queue",
                        "Directory Preparation Tool!");
    }
}
