using System.Text;
using System.Text.Json.Nodes;
using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Rendering;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Tests.Kubernetes;

/// <summary>
/// Bootstrap's DNS add-on against what kubeadm v1.20.2 creates for the same cluster: the objects of its
/// <c>init --dry-run</c> (phase addon/coredns, the lab's settings), kept in Golden/kubeadm-v1.20.2-addon-coredns.txt
/// and rewritten by scripts/kubeadm-coredns-golden, compared field by field. On the lab the CoreDNS pods stay in
/// ImagePull: no registry there serves the coredns image, and none is packaged (docs/workloads.md).
/// </summary>
public sealed class CoreDnsObjectsTests
{
    private static readonly ClusterConfig Config = LabCluster.Load();

    [Fact]
    public void Every_object_is_kubeadms_field_for_field_in_kubeadms_order()
    {
        var kubeadm = KubeadmObjects();
        var ours = CoreDnsObjects.Build(Config, new TemplateRenderer());

        Assert.Equal(kubeadm.Select(o => $"{o.Kind} {o.Metadata.Name}"), ours.Select(o => $"{o.Kind} {o.Metadata.Name}"));
        foreach (var (theirs, mine) in kubeadm.Zip(ours))
        {
            var differences = Differences(Comparable(theirs), Comparable(mine), $"{mine.Kind} {mine.Metadata.Name}").ToList();
            Assert.True(differences.Count == 0, string.Join('\n', differences));
        }
    }

    [Fact]
    public void The_service_is_kube_dns_at_the_tenth_service_address_the_kubelets_cluster_dns()
    {
        var service = CoreDnsObjects.Build(Config, new TemplateRenderer()).OfType<V1Service>().Single();

        Assert.Equal("kube-dns", service.Metadata.Name);
        Assert.Equal("10.96.0.10", service.Spec.ClusterIP);
        Assert.Equal(service.Spec.ClusterIP, KubeletConfiguration.Build(Config)["clusterDNS"]![0]!.GetValue<string>());
    }

    [Fact]
    public void The_image_comes_from_the_image_repository_and_the_domain_from_the_cluster_file()
    {
        var config = Config with
        {
            ImageRepository = "registry.example.com/mirror",
            Networking = Config.Networking with { DnsDomain = "corp.example" },
        };

        var objects = CoreDnsObjects.Build(config, new TemplateRenderer(), replicas: 3);

        var deployment = objects.OfType<V1Deployment>().Single();
        Assert.Equal("registry.example.com/mirror/coredns:1.7.0", deployment.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal(3, deployment.Spec.Replicas);
        Assert.Contains("kubernetes corp.example in-addr.arpa ip6.arpa {", objects.OfType<V1ConfigMap>().Single().Data["Corefile"], StringComparison.Ordinal);
    }

    /// <summary>The objects kubeadm's dry run attached to its CREATE actions, in order.</summary>
    private static List<IKubernetesObject<V1ObjectMeta>> KubeadmObjects()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Kubernetes", "Golden", "kubeadm-v1.20.2-addon-coredns.txt"));
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i] != "[dryrun] Attached object:")
            {
                continue;
            }

            var yaml = new StringBuilder();
            while (i + 1 < lines.Length && lines[i + 1].StartsWith('\t'))
            {
                yaml.Append(lines[++i][1..]).Append('\n');
            }

            objects.Add((IKubernetesObject<V1ObjectMeta>)KubernetesYaml.LoadAllFromString(yaml.ToString()).Single());
        }

        Assert.Equal(6, objects.Count);
        return objects;
    }

    /// <summary>
    /// The object as JSON without what only a request carries: kubeadm's dry-run printer writes creationTimestamp: null
    /// and an empty status, and kubeadm sets the Service's resourceVersion to "0" so that its update path can replace it.
    /// </summary>
    private static JsonObject Comparable(IKubernetesObject<V1ObjectMeta> obj)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject();
        json.Remove("status");
        var metadata = json["metadata"]!.AsObject();
        metadata.Remove("creationTimestamp");
        if (obj is V1Service)
        {
            metadata.Remove("resourceVersion");
        }

        if (json["spec"]?["template"]?["metadata"] is JsonObject template)
        {
            template.Remove("creationTimestamp");
        }

        return json;
    }

    private static IEnumerable<string> Differences(JsonNode? theirs, JsonNode? mine, string path)
    {
        switch (theirs, mine)
        {
            case (JsonObject a, JsonObject b):
                foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    foreach (var difference in Differences(a[key], b[key], $"{path}.{key}"))
                    {
                        yield return difference;
                    }
                }

                break;
            case (JsonArray a, JsonArray b) when a.Count == b.Count:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var difference in Differences(a[i], b[i], $"{path}[{i}]"))
                    {
                        yield return difference;
                    }
                }

                break;
            default:
                if (!JsonNode.DeepEquals(theirs, mine))
                {
                    yield return $"{path}: kubeadm {theirs?.ToJsonString() ?? "(absent)"}, Bootstrap {mine?.ToJsonString() ?? "(absent)"}";
                }

                break;
        }
    }
}
