"""The VPC HyperPod needs: private subnets in two or more Availability Zones, with outbound access through NAT.

HyperPod instances and the EKS control plane's network interfaces live in the private subnets; the single NAT
gateway in a public subnet gives them the outbound access they need to pull images and reach AWS APIs (a production
network would add one NAT gateway per zone, or VPC endpoints).
"""

from __future__ import annotations

from typing import Sequence

from hyperpod.runtime.aws.default_security_group import DefaultSecurityGroup
from hyperpod.runtime.aws.eip import Eip
from hyperpod.runtime.aws.internet_gateway import InternetGateway
from hyperpod.runtime.aws.nat_gateway import NatGateway
from hyperpod.runtime.aws.route import Route
from hyperpod.runtime.aws.route_table import RouteTable
from hyperpod.runtime.aws.route_table_association import RouteTableAssociation
from hyperpod.runtime.aws.subnet import Subnet
from hyperpod.runtime.aws.vpc import Vpc
from hyperpod.runtime.constructs import Construct

ANYWHERE = "0.0.0.0/0"


class NatEgress(Construct):
    """A VPC with an internet gateway and one NAT gateway in a small public subnet (no public IPs on launch)."""

    def __init__(self, scope: Construct, id: str, *, name: str, cidr: str, public_cidr: str, zone: str):
        super().__init__(scope, id)
        self.vpc = Vpc(self, "vpc", cidr_block=cidr, enable_dns_hostnames=True, enable_dns_support=True,
                       tags={"Name": name})
        # No rules: nothing may use the default group by accident (resources get their own groups).
        DefaultSecurityGroup(self, "default-security-group", vpc_id=self.vpc.id)
        gateway = InternetGateway(self, "internet-gateway", vpc_id=self.vpc.id, tags={"Name": name})
        public = Subnet(self, "public", vpc_id=self.vpc.id, cidr_block=public_cidr, availability_zone=zone,
                        map_public_ip_on_launch=False, tags={"Name": f"{name}-public"})
        public_routes = RouteTable(self, "public-routes", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"})
        Route(self, "public-default", route_table_id=public_routes.id, destination_cidr_block=ANYWHERE,
              gateway_id=gateway.id)
        RouteTableAssociation(self, "public-association", subnet_id=public.id, route_table_id=public_routes.id)
        address = Eip(self, "nat-address", domain="vpc", tags={"Name": f"{name}-nat"})
        self.nat_gateway = NatGateway(self, "nat", allocation_id=address.id, subnet_id=public.id,
                                      tags={"Name": name}, depends_on=[gateway])


class PrivateSubnets(Construct):
    """One private subnet per zone, all routed to the internet through the NAT gateway."""

    def __init__(self, scope: Construct, id: str, *, name: str, vpc_id: str, nat_gateway_id: str,
                 cidrs: Sequence[str], zones: Sequence[str]):
        super().__init__(scope, id)
        if len(zones) < 2 or len(cidrs) != len(zones):
            raise ValueError(f"private subnets: got {len(cidrs)} CIDRs for zones {list(zones)}; allowed: one CIDR per "
                             "zone and at least two zones (EKS needs subnets in two Availability Zones)")
        routes = RouteTable(self, "routes", vpc_id=vpc_id, tags={"Name": f"{name}-private"})
        Route(self, "default", route_table_id=routes.id, destination_cidr_block=ANYWHERE,
              nat_gateway_id=nat_gateway_id)
        self.subnets = []
        for index, (cidr, zone) in enumerate(zip(cidrs, zones)):
            subnet = Subnet(self, f"subnet-{index}", vpc_id=vpc_id, cidr_block=cidr, availability_zone=zone,
                            tags={"Name": f"{name}-private-{zone}"})
            RouteTableAssociation(self, f"association-{index}", subnet_id=subnet.id, route_table_id=routes.id)
            self.subnets.append(subnet)

    @property
    def ids(self) -> list[str]:
        return [subnet.id for subnet in self.subnets]
