"""Every demo idea, in the order the command creates them."""

from innovation.site.demo import ideas_forum, ideas_network, ideas_somme

IDEAS = [*ideas_somme.IDEAS, *ideas_forum.IDEAS, *ideas_network.IDEAS]
